#!/bin/sh
# Renders onewindow.svg into the committed hicolor PNGs (needs librsvg2-bin). Run it after editing
# the SVG and commit the PNGs: the build installs the committed files and needs no renderer.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for size in 16 22 24 32 48 64 128 256; do
  mkdir -p "$here/hicolor/${size}x${size}"
  rsvg-convert -w "$size" -h "$size" "$here/onewindow.svg" -o "$here/hicolor/${size}x${size}/onewindow.png"
done

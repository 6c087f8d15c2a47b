// Synthetic document pages for the scan tests and the benchmark: text set with pango (DejaVu Sans +
// Noto Sans CJK SC), turned by a known angle, on a paper tone with Gaussian sensor noise — what a
// flatbed delivers, made by the test itself.
#pragma once

#include "ow/devices/scanner.h"

#include <string>
#include <vector>

namespace ow::test {

struct PageSpec {
    std::vector<std::string> paragraphs; // empty = a blank sheet
    double angle_deg = 0;                // skew added (counter-clockwise positive)
    double noise_sd = 3.0;               // grey levels
    double paper = 0.96;                 // paper brightness 0..1
    double font_pt = 11;
    int dpi = 300;
    double width_mm = 210, height_mm = 297;
    bool color = false; // adds a blue header bar and a red stamp, RGB output
    unsigned seed = 1;
};

// 8-bit grey (or RGB when spec.color) page as a scanner would deliver it.
ow::devices::RawPage render_page(const PageSpec& spec);

// A few paragraphs of counter prose (Chinese and English) for page n.
std::vector<std::string> sample_paragraphs(int n);

// Mean grey level (0..255) of an 8-bit page, or of the luminance of an RGB one.
double mean_gray(const ow::devices::RawPage& page);

} // namespace ow::test

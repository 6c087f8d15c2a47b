// The page pipeline on leptonica 1.82, with libtiff to lift the G4 strip out of leptonica's
// in-memory TIFF. No pixel loop here beyond copying the scanner's rows into a PIX.
#include "ow/devices/page_pipeline.h"

#include "dynlib.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <jpeglib.h>
#include <tiffio.h>

namespace ow::devices {

using detail::lept;

namespace {

struct PixDeleter {
    void operator()(Pix* p) const {
        if (p)
            lept().pixDestroy(&p);
    }
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

struct BoxDeleter {
    void operator()(Box* b) const {
        if (b)
            lept().boxDestroy(&b);
    }
};
using BoxPtr = std::unique_ptr<Box, BoxDeleter>;

PixPtr checked(Pix* p, const char* what) {
    if (!p)
        throw PipelineError(std::string("leptonica: ") + what + " failed");
    return PixPtr(p);
}

std::vector<unsigned char> take_bytes(l_uint8* data, size_t size) {
    std::vector<unsigned char> out(data, data + size);
    lept().lept_free(data);
    return out;
}

int dpi_of(const PageImage& image) {
    int dpi = image.resolution_dpi();
    return dpi > 0 ? dpi : 300;
}

PixPtr copy_resolution(PixPtr out, const PageImage& from) {
    lept().pixSetResolution(out.get(), dpi_of(from), dpi_of(from));
    return out;
}

// A fixed threshold is fine for measuring (skew, ink, content box); the page itself is binarised
// adaptively (binarize()).
PixPtr to_bilevel_for_analysis(Pix* pix) {
    switch (lept().pixGetDepth(pix)) {
    case 1:
        return checked(lept().pixClone(pix), "clone");
    case 8:
        if (!lept().pixGetColormap(pix))
            return checked(lept().pixThresholdToBinary(pix, 128), "threshold");
        break;
    case 32: {
        PixPtr gray = checked(lept().pixConvertRGBToLuminance(pix), "luminance");
        return checked(lept().pixThresholdToBinary(gray.get(), 128), "threshold");
    }
    default:
        break;
    }
    return checked(lept().pixConvertTo1(pix, 128), "convert to 1 bpp");
}

SkewMeasure find_skew(Pix* bilevel) {
    l_float32 angle = 0, conf = 0;
    // Sweep ±7° at reduction 4, then a binary search at reduction 2.
    if (lept().pixFindSkewSweepAndSearch(bilevel, &angle, &conf, 4, 2, 7.0f, 1.0f, 0.01f) != 0)
        return {};
    return {angle, conf};
}

// Ink on a bilevel page, without a 3 % edge and without specks smaller than 0.3 mm.
double ink_of_bilevel(Pix* bin, int dpi) {
    const int w = lept().pixGetWidth(bin), h = lept().pixGetHeight(bin);
    const int edge_x = w * 3 / 100, edge_y = h * 3 / 100;
    BoxPtr inner(lept().boxCreate(edge_x, edge_y, w - 2 * edge_x, h - 2 * edge_y));
    PixPtr clipped = checked(lept().pixClipRectangle(bin, inner.get(), nullptr), "clip");
    // Halve first (a pixel is ink when any of its four is): fast, and specks stay specks.
    PixPtr reduced = checked(lept().pixReduceRankBinary2(clipped.get(), 1, nullptr), "reduce");
    const int speck = std::max(1, static_cast<int>(std::lround(0.3 / 25.4 * dpi / 2)));
    PixPtr kept = checked(lept().pixSelectBySize(reduced.get(), speck + 1, speck + 1, 8,
                                                 L_SELECT_IF_EITHER, L_SELECT_IF_GTE, nullptr),
                          "select by size");
    l_int32 count = 0;
    lept().pixCountPixels(kept.get(), &count, nullptr);
    const double area =
        double(lept().pixGetWidth(kept.get())) * double(lept().pixGetHeight(kept.get()));
    return area > 0 ? count / area : 0.0;
}

// Small angles (all a flatbed or feeder produces) by shear: about 4x faster than area mapping on
// an A4 page at 300 dpi, and the angle is exact; larger ones by area mapping (grey) or sampling.
PixPtr rotate_by(Pix* pix, double angle_deg) {
    const float radians = static_cast<float>(angle_deg * M_PI / 180.0);
    const bool small = std::abs(angle_deg) <= 3.0;
    const int type = small ? L_ROTATE_SHEAR
                           : (lept().pixGetDepth(pix) == 1 ? L_ROTATE_SAMPLING : L_ROTATE_AREA_MAP);
    return checked(lept().pixRotate(pix, radians, type, L_BRING_IN_WHITE, 0, 0), "rotate");
}

bool worth_rotating(const SkewMeasure& m) {
    return m.confidence >= 3.0 && std::abs(m.angle_deg) >= 0.05;
}

// libtiff reading from memory: leptonica's G4 TIFF → its single strip of raw G4 data.
struct MemoryTiff {
    const std::vector<unsigned char>* bytes;
    toff_t position = 0;
};

tsize_t mem_read(thandle_t h, tdata_t buf, tsize_t size) {
    auto* m = static_cast<MemoryTiff*>(h);
    const auto total = static_cast<toff_t>(m->bytes->size());
    tsize_t n = static_cast<tsize_t>(
        std::min<toff_t>(static_cast<toff_t>(size), total - std::min(total, m->position)));
    std::memcpy(buf, m->bytes->data() + m->position, static_cast<size_t>(n));
    m->position += static_cast<toff_t>(n);
    return n;
}
tsize_t mem_write(thandle_t, tdata_t, tsize_t) {
    return 0;
}
toff_t mem_seek(thandle_t h, toff_t offset, int whence) {
    auto* m = static_cast<MemoryTiff*>(h);
    if (whence == SEEK_SET)
        m->position = offset;
    else if (whence == SEEK_CUR)
        m->position += offset;
    else
        m->position = static_cast<toff_t>(m->bytes->size()) + offset;
    return m->position;
}
int mem_close(thandle_t) {
    return 0;
}
toff_t mem_size(thandle_t h) {
    return static_cast<toff_t>(static_cast<MemoryTiff*>(h)->bytes->size());
}
int mem_map(thandle_t, tdata_t*, toff_t*) {
    return 0;
}
void mem_unmap(thandle_t, tdata_t, toff_t) {}

std::vector<unsigned char> g4_strip(const std::vector<unsigned char>& tiff_file) {
    TIFFSetErrorHandler(nullptr);
    TIFFSetWarningHandler(nullptr);
    MemoryTiff m{&tiff_file};
    TIFF* tif = TIFFClientOpen("memory", "rm", &m, mem_read, mem_write, mem_seek, mem_close,
                               mem_size, mem_map, mem_unmap);
    if (!tif)
        throw PipelineError("libtiff: cannot read the G4 image leptonica wrote");
    std::vector<unsigned char> out;
    uint16_t compression = 0;
    TIFFGetField(tif, TIFFTAG_COMPRESSION, &compression);
    if (compression != COMPRESSION_CCITTFAX4 || TIFFNumberOfStrips(tif) != 1) {
        TIFFClose(tif);
        throw PipelineError("libtiff: expected one CCITT G4 strip");
    }
    uint64_t* counts = nullptr;
    TIFFGetField(tif, TIFFTAG_STRIPBYTECOUNTS, &counts);
    out.resize(counts ? static_cast<size_t>(counts[0]) : 0);
    tmsize_t n = TIFFReadRawStrip(tif, 0, out.data(), static_cast<tmsize_t>(out.size()));
    TIFFClose(tif);
    if (n <= 0)
        throw PipelineError("libtiff: empty G4 strip");
    out.resize(static_cast<size_t>(n));
    return out;
}

// JPEG with libjpeg-turbo directly: optimised Huffman tables (leptonica's writer does not ask for
// them; about 5-10 % smaller at the same quality), 4:2:0 chroma, the resolution in the JFIF header.
std::vector<unsigned char> jpeg_encode(Pix* pix, int quality, int dpi) {
    const int depth = lept().pixGetDepth(pix);
    const int w = lept().pixGetWidth(pix), h = lept().pixGetHeight(pix);
    jpeg_compress_struct cinfo{};
    jpeg_error_mgr jerr{};
    cinfo.err = jpeg_std_error(&jerr);
    jerr.error_exit = [](j_common_ptr c) {
        char message[JMSG_LENGTH_MAX];
        (*c->err->format_message)(c, message);
        throw PipelineError(std::string("libjpeg: ") + message);
    };
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    std::vector<unsigned char> row(static_cast<size_t>(w) * (depth == 32 ? 3 : 1));
    try {
        jpeg_create_compress(&cinfo);
        jpeg_mem_dest(&cinfo, &buffer, &size);
        cinfo.image_width = static_cast<JDIMENSION>(w);
        cinfo.image_height = static_cast<JDIMENSION>(h);
        cinfo.input_components = depth == 32 ? 3 : 1;
        cinfo.in_color_space = depth == 32 ? JCS_RGB : JCS_GRAYSCALE;
        jpeg_set_defaults(&cinfo);
        jpeg_set_quality(&cinfo, quality, TRUE);
        cinfo.optimize_coding = TRUE;
        cinfo.density_unit = 1;
        cinfo.X_density = cinfo.Y_density = static_cast<UINT16>(dpi);
        jpeg_start_compress(&cinfo, TRUE);
        const l_uint32* data = lept().pixGetData(pix);
        const int wpl = lept().pixGetWpl(pix);
        while (cinfo.next_scanline < cinfo.image_height) {
            const l_uint32* line =
                data + static_cast<size_t>(cinfo.next_scanline) * static_cast<size_t>(wpl);
            if (depth == 32) {
                for (int x = 0; x < w; ++x) {
                    l_int32 r, g, b;
                    lept().extractRGBValues(line[x], &r, &g, &b);
                    row[3 * size_t(x)] = static_cast<unsigned char>(r);
                    row[3 * size_t(x) + 1] = static_cast<unsigned char>(g);
                    row[3 * size_t(x) + 2] = static_cast<unsigned char>(b);
                }
            } else {
                for (int x = 0; x < w; ++x)
                    row[size_t(x)] = static_cast<unsigned char>(GET_DATA_BYTE(line, x));
            }
            JSAMPROW rows[1] = {row.data()};
            jpeg_write_scanlines(&cinfo, rows, 1);
        }
        jpeg_finish_compress(&cinfo);
    } catch (...) {
        jpeg_destroy_compress(&cinfo);
        std::free(buffer);
        throw;
    }
    jpeg_destroy_compress(&cinfo);
    std::vector<unsigned char> out(buffer, buffer + size);
    std::free(buffer);
    return out;
}

} // namespace

PageImage::PageImage(Pix* adopted) {
    if (!adopted)
        throw PipelineError("no image");
    pix_ = std::shared_ptr<Pix>(adopted, PixDeleter{});
}

PageImage PageImage::from_raw(const RawPage& page) {
    if (page.width <= 0 || page.height <= 0 ||
        page.data.size() < page.bytes_per_line * size_t(page.height))
        throw PipelineError("the scanner delivered an incomplete page");
    const bool rgb = page.channels == 3;
    const int depth = rgb ? 32 : page.bits_per_sample;
    if (depth != 1 && depth != 8 && depth != 32)
        throw PipelineError("unsupported sample depth " + std::to_string(page.bits_per_sample));
    PixPtr pix = checked(lept().pixCreate(page.width, page.height, depth), "create");
    l_uint32* data = lept().pixGetData(pix.get());
    const int wpl = lept().pixGetWpl(pix.get());
    for (int y = 0; y < page.height; ++y) {
        const unsigned char* src = page.data.data() + page.bytes_per_line * size_t(y);
        l_uint32* line = data + size_t(y) * size_t(wpl);
        if (rgb) {
            for (int x = 0; x < page.width; ++x)
                lept().composeRGBPixel(src[3 * x], src[3 * x + 1], src[3 * x + 2], line + x);
        } else {
            const size_t row_bytes = depth == 1 ? size_t(page.width + 7) / 8 : size_t(page.width);
            std::memcpy(line, src, std::min(row_bytes, page.bytes_per_line));
        }
    }
    if (!rgb)
        lept().pixEndianByteSwap(pix.get()); // rows were copied as big-endian bytes
    lept().pixSetResolution(pix.get(), page.resolution_dpi, page.resolution_dpi);
    return PageImage(pix.release());
}

PageImage PageImage::decode(const std::vector<unsigned char>& bytes) {
    Pix* p = bytes.empty() ? nullptr : lept().pixReadMem(bytes.data(), bytes.size());
    if (!p)
        throw PipelineError("not an image leptonica can read (PNG, PNM, TIFF or JPEG)");
    PixPtr pix(p);
    if (lept().pixGetColormap(pix.get()))
        pix = checked(lept().pixRemoveColormap(pix.get(), REMOVE_CMAP_BASED_ON_SRC),
                      "remove colormap");
    const int d = lept().pixGetDepth(pix.get());
    if (d != 1 && d != 8 && d != 32)
        pix = checked(lept().pixConvertTo8(pix.get(), 0), "convert to 8 bpp");
    if (lept().pixGetXRes(pix.get()) <= 0)
        lept().pixSetResolution(pix.get(), 300, 300);
    return PageImage(pix.release());
}

int PageImage::width() const {
    return pix_ ? lept().pixGetWidth(pix_.get()) : 0;
}
int PageImage::height() const {
    return pix_ ? lept().pixGetHeight(pix_.get()) : 0;
}
int PageImage::depth() const {
    return pix_ ? lept().pixGetDepth(pix_.get()) : 0;
}
int PageImage::resolution_dpi() const {
    return pix_ ? lept().pixGetXRes(pix_.get()) : 0;
}
void PageImage::set_resolution_dpi(int dpi) {
    if (pix_)
        lept().pixSetResolution(pix_.get(), dpi, dpi);
}

std::vector<unsigned char> PageImage::png() const {
    l_uint8* data = nullptr;
    size_t size = 0;
    if (!pix_ || lept().pixWriteMemPng(&data, &size, pix_.get(), 0.0f) != 0)
        throw PipelineError("PNG encoding failed");
    return take_bytes(data, size);
}

const char* to_string(PageKind kind) {
    switch (kind) {
    case PageKind::Bilevel:
        return "text";
    case PageKind::Gray:
        return "gray";
    case PageKind::Color:
        return "color";
    }
    return "gray";
}

const char* to_string(EncodedPage::Encoding encoding) {
    return encoding == EncodedPage::Encoding::CcittG4 ? "ccitt-g4" : "jpeg";
}

PipelineOptions preset(const std::string& name) {
    PipelineOptions o;
    if (name == "text" || name == "lineart") {
        o.kind = PageKind::Bilevel;
    } else if (name == "gray" || name == "grey") {
        o.kind = PageKind::Gray;
        o.jpeg_quality = 50;
    } else if (name == "color" || name == "colour") {
        o.kind = PageKind::Color;
        o.jpeg_quality = 50;
    } else if (name == "photo") {
        // ID-card copies and photographs: colour, better quality, never dropped as blank.
        o.kind = PageKind::Color;
        o.jpeg_quality = 75;
        o.whiten_background = false;
        o.deskew = false;
        o.drop_blank = false;
    } else {
        throw PipelineError("unknown preset '" + name + "' (text, gray, color, photo)");
    }
    return o;
}

SkewMeasure measure_skew(const PageImage& image) {
    PixPtr bin = to_bilevel_for_analysis(image.pix());
    return find_skew(bin.get());
}

PageImage deskew(const PageImage& image, SkewMeasure* found) {
    SkewMeasure m = measure_skew(image);
    if (found)
        *found = m;
    if (!worth_rotating(m))
        return image;
    return PageImage(copy_resolution(rotate_by(image.pix(), m.angle_deg), image).release());
}

double ink_fraction(const PageImage& image) {
    PixPtr bin = to_bilevel_for_analysis(image.pix());
    return ink_of_bilevel(bin.get(), dpi_of(image));
}

bool is_blank(const PageImage& image, double threshold) {
    return ink_fraction(image) < threshold;
}

PageImage rotate_quarter_turns(const PageImage& image, int quarter_turns) {
    const int q = ((quarter_turns % 4) + 4) % 4;
    if (q == 0)
        return image;
    return PageImage(
        copy_resolution(checked(lept().pixRotateOrth(image.pix(), q), "rotate"), image).release());
}

PageImage crop(const PageImage& image, int x, int y, int width, int height) {
    BoxPtr box(lept().boxCreate(x, y, width, height));
    if (!box)
        throw PipelineError("bad crop rectangle");
    return PageImage(
        copy_resolution(checked(lept().pixClipRectangle(image.pix(), box.get(), nullptr), "crop"),
                        image)
            .release());
}

PageImage crop_to_content(const PageImage& image, double margin_mm) {
    PixPtr bin = to_bilevel_for_analysis(image.pix());
    const int speck = std::max(2, static_cast<int>(std::lround(0.3 / 25.4 * dpi_of(image))));
    PixPtr kept = checked(lept().pixSelectBySize(bin.get(), speck, speck, 8, L_SELECT_IF_EITHER,
                                                 L_SELECT_IF_GTE, nullptr),
                          "select");
    Box* found = nullptr;
    if (lept().pixClipBoxToForeground(kept.get(), nullptr, nullptr, &found) != 0 || !found)
        return image; // nothing on the page: keep it as it is
    BoxPtr box(found);
    l_int32 x, y, w, h;
    lept().boxGetGeometry(box.get(), &x, &y, &w, &h);
    const int margin = static_cast<int>(std::lround(margin_mm / 25.4 * dpi_of(image)));
    const int x0 = std::max(0, x - margin), y0 = std::max(0, y - margin);
    const int x1 = std::min(image.width(), x + w + margin),
              y1 = std::min(image.height(), y + h + margin);
    return crop(image, x0, y0, x1 - x0, y1 - y0);
}

PageImage to_gray(const PageImage& image) {
    if (image.depth() == 8)
        return image;
    Pix* p = image.depth() == 32 ? lept().pixConvertRGBToLuminance(image.pix())
                                 : lept().pixConvertTo8(image.pix(), 0);
    return PageImage(copy_resolution(checked(p, "convert to grey"), image).release());
}

PageImage whiten_background(const PageImage& image) {
    if (image.depth() != 8 && image.depth() != 32)
        return image;
    // The paper level: the median of a text page is paper. Everything within about four standard
    // deviations of sensor noise below it becomes white; darker levels are stretched to keep ink.
    PixPtr gray = image.depth() == 32
                      ? checked(lept().pixConvertRGBToLuminance(image.pix()), "luminance")
                      : checked(lept().pixClone(image.pix()), "clone");
    l_uint32 paper_level = 0;
    if (lept().pixGetRankValue(gray.get(), 4, 0.5f, &paper_level) != 0)
        return image;
    const int paper = static_cast<int>(paper_level);
    if (paper < 128) // a dark page (a photo, a black sheet): leave it as it is
        return image;
    const int white_from = std::max(96, paper - 18);
    // Levels below the knee stay as they are (stretching the strokes' edges would cost JPEG bytes);
    // from the knee up they ramp to white, so paper grain and sensor noise become flat white.
    const int knee = white_from - 24;
    Numa* lut = lept().numaCreate(256);
    for (int v = 0; v < 256; ++v) {
        double out = v < knee          ? v
                     : v >= white_from ? 255.0
                                       : knee + (255.0 - knee) * (v - knee) / (white_from - knee);
        lept().numaAddNumber(lut, static_cast<l_float32>(out));
    }
    PixPtr out = checked(lept().pixCopy(nullptr, image.pix()), "copy");
    const bool ok = lept().pixTRCMap(out.get(), nullptr, lut) == 0;
    lept().numaDestroy(&lut);
    if (!ok)
        throw PipelineError("leptonica: levels failed");
    return PageImage(copy_resolution(std::move(out), image).release());
}

PageImage binarize(const PageImage& image) {
    if (image.depth() == 1)
        return image;
    PageImage gray = to_gray(image);
    const int dpi = dpi_of(image);
    const int half_window = std::max(7, 25 * dpi / 300); // about 4 mm across
    const int w = gray.width(), h = gray.height();
    // Tiles keep the accumulators small (an A4 page at 300 dpi would need ~100 MB untiled).
    const int nx = std::clamp(w / 600, 1, std::max(1, w / (half_window + 3) - 1));
    const int ny = std::clamp(h / 600, 1, std::max(1, h / (half_window + 3) - 1));
    Pix* out = nullptr;
    if (lept().pixSauvolaBinarizeTiled(gray.pix(), half_window, 0.34f, nx, ny, nullptr, &out) != 0)
        throw PipelineError("leptonica: Sauvola binarisation failed");
    PixPtr local(out);
    // Sauvola leaves the inside of large uniform dark areas white (no local contrast there): a
    // black border, a filled box, a dark photo. Whatever is really dark stays black.
    PixPtr dark = checked(lept().pixThresholdToBinary(gray.pix(), 64), "threshold");
    lept().pixOr(local.get(), local.get(), dark.get());
    return PageImage(copy_resolution(std::move(local), image).release());
}

EncodedPage encode(const PageImage& image, int jpeg_quality) {
    if (image.empty())
        throw PipelineError("no image to encode");
    EncodedPage out;
    out.width = image.width();
    out.height = image.height();
    out.resolution_dpi = dpi_of(image);
    l_uint8* data = nullptr;
    size_t size = 0;
    if (image.depth() == 1) {
        if (lept().pixWriteMemTiff(&data, &size, image.pix(), IFF_TIFF_G4) != 0)
            throw PipelineError("leptonica: G4 encoding failed");
        out.encoding = EncodedPage::Encoding::CcittG4;
        out.components = 1;
        out.bits_per_component = 1;
        out.data = g4_strip(take_bytes(data, size));
        return out;
    }
    PageImage source = image.depth() == 32 || image.depth() == 8 ? image : to_gray(image);
    if (lept().pixGetColormap(source.pix()))
        source = PageImage(
            checked(lept().pixRemoveColormap(source.pix(), REMOVE_CMAP_BASED_ON_SRC), "colormap")
                .release());
    out.encoding = EncodedPage::Encoding::Jpeg;
    out.components = source.depth() == 32 ? 3 : 1;
    out.bits_per_component = 8;
    out.data = jpeg_encode(source.pix(), std::clamp(jpeg_quality, 10, 95), out.resolution_dpi);
    return out;
}

std::vector<unsigned char> thumbnail_jpeg(const PageImage& image, int max_side) {
    const float factor = float(max_side) / float(std::max(image.width(), image.height()));
    PixPtr small;
    if (image.depth() == 1) {
        PixPtr gray = checked(lept().pixConvertTo8(image.pix(), 0), "thumbnail");
        small = checked(lept().pixScaleAreaMap(gray.get(), factor, factor), "thumbnail");
    } else {
        small = checked(lept().pixScaleAreaMap(image.pix(), factor, factor), "thumbnail");
    }
    l_uint8* data = nullptr;
    size_t size = 0;
    if (lept().pixWriteMemJpeg(&data, &size, small.get(), 75, 0) != 0)
        throw PipelineError("leptonica: thumbnail encoding failed");
    return take_bytes(data, size);
}

ProcessedPage process(const PageImage& scanned, const PipelineOptions& options) {
    ProcessedPage out;
    PageImage image = rotate_quarter_turns(scanned, options.quarter_turns);
    if (options.kind == PageKind::Gray ||
        (options.kind == PageKind::Bilevel && image.depth() == 32))
        image = to_gray(image);
    {
        // One fixed-threshold bilevel copy serves the skew and the ink measurement.
        PixPtr bin = to_bilevel_for_analysis(image.pix());
        out.ink = ink_of_bilevel(bin.get(), dpi_of(image));
        if (options.deskew) {
            out.skew_before = find_skew(bin.get());
            if (worth_rotating(out.skew_before))
                image = PageImage(
                    copy_resolution(rotate_by(image.pix(), out.skew_before.angle_deg), image)
                        .release());
        }
    }
    out.blank = out.ink < options.blank_ink_fraction;
    if (out.blank && options.drop_blank)
        return out;
    if (options.crop_to_content)
        image = crop_to_content(image);
    if (options.whiten_background && options.kind != PageKind::Bilevel)
        image = whiten_background(image);
    if (options.kind == PageKind::Bilevel)
        image = binarize(image);
    out.encoded = encode(image, options.jpeg_quality);
    out.image = std::move(image);
    return out;
}

} // namespace ow::devices

// Page operations and the scan PDF (PoDoFo 0.9.8). The encoded page data goes into the image
// XObject's stream unchanged: G4 strips as /CCITTFaxDecode (K -1, BlackIs1 false: leptonica's
// 1 = black is G4's "black" run), JPEG files as /DCTDecode. The optional text layer is invisible
// text (rendering mode 3) in tesseract's GlyphLessFont (its pdf.ttf), so Chinese and Latin words
// are both searchable and copyable, exactly where they are on the image.
#include "ow/devices/scan_document.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <podofo/podofo.h>
#include <sstream>
#include <stdexcept>

namespace ow::devices {

namespace page_ops {

namespace {
void check_index(const std::vector<ScannedPage>& pages, std::size_t index) {
    if (index >= pages.size())
        throw std::out_of_range("page " + std::to_string(index + 1) + " does not exist (" +
                                std::to_string(pages.size()) + " pages)");
}
} // namespace

void move(std::vector<ScannedPage>& pages, std::size_t from, std::size_t to) {
    check_index(pages, from);
    check_index(pages, to);
    ScannedPage page = std::move(pages[from]);
    pages.erase(pages.begin() + static_cast<std::ptrdiff_t>(from));
    pages.insert(pages.begin() + static_cast<std::ptrdiff_t>(to), std::move(page));
}

void reorder(std::vector<ScannedPage>& pages, const std::vector<std::size_t>& new_order) {
    if (new_order.size() != pages.size())
        throw std::out_of_range("the new order must name every page once");
    std::vector<bool> seen(pages.size(), false);
    for (auto i : new_order) {
        check_index(pages, i);
        if (seen[i])
            throw std::out_of_range("page " + std::to_string(i + 1) + " named twice");
        seen[i] = true;
    }
    std::vector<ScannedPage> out;
    out.reserve(pages.size());
    for (auto i : new_order)
        out.push_back(std::move(pages[i]));
    pages = std::move(out);
}

void rotate(std::vector<ScannedPage>& pages, std::size_t index, int quarter_turns) {
    check_index(pages, index);
    pages[index].quarter_turns = (((pages[index].quarter_turns + quarter_turns) % 4) + 4) % 4;
}

void remove(std::vector<ScannedPage>& pages, std::size_t index) {
    check_index(pages, index);
    pages.erase(pages.begin() + static_cast<std::ptrdiff_t>(index));
}

std::vector<ScannedPage> interleave(std::vector<ScannedPage> fronts, std::vector<ScannedPage> backs,
                                    bool backs_reversed) {
    if (fronts.size() != backs.size())
        throw std::out_of_range("manual duplex needs as many backs (" +
                                std::to_string(backs.size()) + ") as fronts (" +
                                std::to_string(fronts.size()) + ")");
    if (backs_reversed)
        std::reverse(backs.begin(), backs.end());
    std::vector<ScannedPage> out;
    out.reserve(fronts.size() * 2);
    for (std::size_t i = 0; i < fronts.size(); ++i) {
        out.push_back(std::move(fronts[i]));
        out.push_back(std::move(backs[i]));
    }
    return out;
}

void interleave_in_place(std::vector<ScannedPage>& pages, std::size_t fronts_count,
                         bool backs_reversed) {
    if (fronts_count * 2 != pages.size())
        throw std::out_of_range("manual duplex needs as many backs as fronts (" +
                                std::to_string(fronts_count) + " fronts in " +
                                std::to_string(pages.size()) + " pages)");
    std::vector<ScannedPage> fronts(
        std::make_move_iterator(pages.begin()),
        std::make_move_iterator(pages.begin() + static_cast<std::ptrdiff_t>(fronts_count)));
    std::vector<ScannedPage> backs(
        std::make_move_iterator(pages.begin() + static_cast<std::ptrdiff_t>(fronts_count)),
        std::make_move_iterator(pages.end()));
    auto merged = interleave(std::move(fronts), std::move(backs), backs_reversed);
    pages = std::move(merged);
}

void assign(std::vector<ScannedPage>& pages, std::size_t first, std::size_t last,
            const std::string& material_key) {
    check_index(pages, first);
    check_index(pages, last);
    for (std::size_t i = std::min(first, last); i <= std::max(first, last); ++i)
        pages[i].material_key = material_key;
}

std::map<std::string, std::vector<ScannedPage>>
split_by_material(const std::vector<ScannedPage>& pages) {
    std::map<std::string, std::vector<ScannedPage>> out;
    for (const auto& p : pages)
        out[p.material_key].push_back(p);
    return out;
}

} // namespace page_ops

namespace {

using namespace PoDoFo;

std::vector<char> read_binary(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return {};
    return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::filesystem::path find_first(const std::vector<std::filesystem::path>& candidates) {
    for (const auto& c : candidates) {
        std::error_code ec;
        if (!c.empty() && std::filesystem::is_regular_file(c, ec))
            return c;
    }
    return {};
}

std::filesystem::path srgb_profile(const std::string& configured) {
    if (!configured.empty())
        return configured;
    return find_first({"/usr/share/color/icc/sRGB.icc", "/usr/share/color/icc/colord/sRGB.icc",
                       "/usr/share/color/icc/ghostscript/srgb.icc"});
}

std::filesystem::path glyphless_font() {
    std::vector<std::filesystem::path> candidates;
    if (const char* prefix = std::getenv("TESSDATA_PREFIX"))
        candidates.push_back(std::filesystem::path(prefix) / "pdf.ttf");
    for (const char* dir :
         {"/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
          "/usr/share/tessdata", "/usr/local/share/tessdata"})
        candidates.push_back(std::filesystem::path(dir) / "pdf.ttf");
    return find_first(candidates);
}

std::string fmt(double v) {
    std::ostringstream s;
    s.imbue(std::locale::classic());
    s << std::fixed << std::setprecision(3) << v;
    return s.str();
}

// UTF-8 → UTF-16BE hex for a PDF string in the Identity-H GlyphLessFont (CID = UTF-16 code unit).
std::pair<std::string, int> utf16_hex(const std::string& utf8) {
    std::string hex;
    int units = 0;
    auto put = [&](unsigned v) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "%04X", v & 0xFFFFu);
        hex += buf;
        ++units;
    };
    for (std::size_t i = 0; i < utf8.size();) {
        unsigned char c = static_cast<unsigned char>(utf8[i]);
        unsigned cp = 0;
        int extra = 0;
        if (c < 0x80) {
            cp = c;
        } else if ((c >> 5) == 6) {
            cp = c & 0x1F;
            extra = 1;
        } else if ((c >> 4) == 14) {
            cp = c & 0x0F;
            extra = 2;
        } else if ((c >> 3) == 30) {
            cp = c & 0x07;
            extra = 3;
        } else {
            ++i;
            continue;
        }
        ++i;
        for (int k = 0; k < extra && i < utf8.size(); ++k, ++i)
            cp = (cp << 6) | (static_cast<unsigned char>(utf8[i]) & 0x3F);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put(0xD800 + (cp >> 10));
            put(0xDC00 + (cp & 0x3FF));
        } else {
            put(cp);
        }
    }
    return {hex, units};
}

class ScanPdfWriter {
public:
    explicit ScanPdfWriter(const PdfOptions& options) : options_(options) {}

    std::vector<unsigned char> write(const std::vector<ScannedPage>& pages) {
        if (pages.empty())
            throw PipelineError("a PDF needs at least one page");
        try {
            for (const auto& page : pages)
                add_page(page);
            PdfInfo* info = doc_.GetInfo();
            if (!options_.title.empty())
                info->SetTitle(
                    PdfString(reinterpret_cast<const pdf_utf8*>(options_.title.c_str())));
            info->SetProducer(PdfString(options_.producer));
            info->SetCreator(PdfString(options_.producer));
            if (options_.pdfa)
                make_pdfa();
            PdfRefCountedBuffer buffer;
            PdfOutputDevice device(&buffer);
            doc_.Write(&device);
            return std::vector<unsigned char>(buffer.GetBuffer(),
                                              buffer.GetBuffer() + device.GetLength());
        } catch (const PdfError& e) {
            throw PipelineError(std::string("PDF writing failed: ") +
                                PdfError::ErrorMessage(e.GetError()));
        }
    }

private:
    void add_page(const ScannedPage& scanned) {
        const EncodedPage& e = scanned.encoded;
        if (e.width <= 0 || e.height <= 0 || e.data.empty())
            throw PipelineError("a page has no image data");
        const double dpi = e.resolution_dpi > 0 ? e.resolution_dpi : 300;
        const double w_pt = e.width * 72.0 / dpi, h_pt = e.height * 72.0 / dpi;
        PdfPage* page = doc_.CreatePage(PdfRect(0, 0, w_pt, h_pt));
        if (scanned.quarter_turns % 4 != 0)
            page->GetObject()->GetDictionary().AddKey(
                "Rotate", PdfVariant(static_cast<pdf_int64>(90 * (scanned.quarter_turns % 4))));

        PdfImage image(&doc_, "Im");
        image.SetImageColorSpace(e.components == 3 ? ePdfColorSpace_DeviceRGB
                                                   : ePdfColorSpace_DeviceGray);
        PdfDictionary& dict = image.GetObject()->GetDictionary();
        if (e.encoding == EncodedPage::Encoding::CcittG4) {
            dict.AddKey(PdfName::KeyFilter, PdfName("CCITTFaxDecode"));
            PdfDictionary parms;
            parms.AddKey("K", PdfVariant(static_cast<pdf_int64>(-1)));
            parms.AddKey("Columns", PdfVariant(static_cast<pdf_int64>(e.width)));
            parms.AddKey("Rows", PdfVariant(static_cast<pdf_int64>(e.height)));
            parms.AddKey("BlackIs1", PdfVariant(false));
            dict.AddKey("DecodeParms", parms);
        } else {
            dict.AddKey(PdfName::KeyFilter, PdfName("DCTDecode"));
        }
        PdfMemoryInputStream stream(reinterpret_cast<const char*>(e.data.data()),
                                    static_cast<pdf_long>(e.data.size()));
        image.SetImageDataRaw(static_cast<unsigned>(e.width), static_cast<unsigned>(e.height),
                              static_cast<unsigned>(e.bits_per_component), &stream);
        page->AddResource(image.GetIdentifier(), image.GetObject()->Reference(),
                          PdfName("XObject"));

        std::ostringstream content;
        content.imbue(std::locale::classic());
        content << "q " << fmt(w_pt) << " 0 0 " << fmt(h_pt) << " 0 0 cm /"
                << image.GetIdentifier().GetName() << " Do Q\n";
        if (options_.text_layer && scanned.ocr && !scanned.ocr->words.empty())
            write_text_layer(page, *scanned.ocr, w_pt, h_pt, content);
        const std::string text = content.str();
        page->GetContentsForAppending()->GetStream()->Set(text.data(),
                                                          static_cast<pdf_long>(text.size()));
    }

    void write_text_layer(PdfPage* page, const OcrResult& ocr, double w_pt, double h_pt,
                          std::ostringstream& out) {
        PdfObject* font = glyphless();
        page->AddResource(PdfName("FGlyphLess"), font->Reference(), PdfName("Font"));
        const double sx = ocr.image_width > 0 ? w_pt / ocr.image_width : 72.0 / ocr.resolution_dpi;
        const double sy =
            ocr.image_height > 0 ? h_pt / ocr.image_height : 72.0 / ocr.resolution_dpi;
        out << "BT 3 Tr\n";
        for (const auto& word : ocr.words) {
            auto [hex, units] = utf16_hex(word.text);
            if (units == 0 || word.width <= 0 || word.height <= 0)
                continue;
            const double size = std::max(1.0, word.height * sy);
            const double width = word.width * sx;
            // GlyphLessFont glyphs are 500/1000 em wide: stretch the word to its box.
            const double scale = 100.0 * width / (units * size * 0.5);
            out << "/FGlyphLess " << fmt(size) << " Tf " << fmt(scale) << " Tz 1 0 0 1 "
                << fmt(word.x * sx) << ' ' << fmt(h_pt - (word.y + word.height) * sy) << " Tm <"
                << hex << "> Tj\n";
        }
        out << "ET\n";
    }

    PdfObject* glyphless() {
        if (glyphless_font_)
            return glyphless_font_;
        const auto path = glyphless_font();
        const auto ttf = read_binary(path);
        if (ttf.empty())
            throw PipelineError(
                "the OCR text layer needs tesseract's pdf.ttf (package tesseract-ocr)");
        auto& objects = doc_.GetObjects();
        PdfObject* file = objects.CreateObject();
        file->GetStream()->Set(ttf.data(), static_cast<pdf_long>(ttf.size()));
        file->GetDictionary().AddKey("Length1", PdfVariant(static_cast<pdf_int64>(ttf.size())));

        PdfObject* descriptor = objects.CreateObject("FontDescriptor");
        auto& d = descriptor->GetDictionary();
        d.AddKey("FontName", PdfName("GlyphLessFont"));
        d.AddKey("Flags", PdfVariant(static_cast<pdf_int64>(5)));
        PdfArray bbox;
        for (pdf_int64 v : {0, 0, 500, 1000})
            bbox.push_back(PdfVariant(v));
        d.AddKey("FontBBox", bbox);
        d.AddKey("ItalicAngle", PdfVariant(static_cast<pdf_int64>(0)));
        d.AddKey("Ascent", PdfVariant(static_cast<pdf_int64>(1000)));
        d.AddKey("Descent", PdfVariant(static_cast<pdf_int64>(-1)));
        d.AddKey("CapHeight", PdfVariant(static_cast<pdf_int64>(1000)));
        d.AddKey("StemV", PdfVariant(static_cast<pdf_int64>(80)));
        d.AddKey("FontFile2", file->Reference());

        // Every CID (a UTF-16 code unit) shows glyph 1.
        PdfObject* cid_to_gid = objects.CreateObject();
        std::string map(65536 * 2, '\0');
        for (std::size_t i = 1; i < map.size(); i += 2)
            map[i] = '\1';
        cid_to_gid->GetStream()->Set(map.data(), static_cast<pdf_long>(map.size()));

        PdfObject* cid_font = objects.CreateObject("Font");
        auto& c = cid_font->GetDictionary();
        c.AddKey("Subtype", PdfName("CIDFontType2"));
        c.AddKey("BaseFont", PdfName("GlyphLessFont"));
        PdfDictionary system_info;
        system_info.AddKey("Registry", PdfString("Adobe"));
        system_info.AddKey("Ordering", PdfString("Identity"));
        system_info.AddKey("Supplement", PdfVariant(static_cast<pdf_int64>(0)));
        c.AddKey("CIDSystemInfo", system_info);
        c.AddKey("FontDescriptor", descriptor->Reference());
        c.AddKey("DW", PdfVariant(static_cast<pdf_int64>(500)));
        c.AddKey("CIDToGIDMap", cid_to_gid->Reference());

        PdfObject* to_unicode = objects.CreateObject();
        const std::string cmap =
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            "1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n"
            "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
        to_unicode->GetStream()->Set(cmap.data(), static_cast<pdf_long>(cmap.size()));

        glyphless_font_ = objects.CreateObject("Font");
        auto& f = glyphless_font_->GetDictionary();
        f.AddKey("Subtype", PdfName("Type0"));
        f.AddKey("BaseFont", PdfName("GlyphLessFont"));
        f.AddKey("Encoding", PdfName("Identity-H"));
        PdfArray descendants;
        descendants.push_back(cid_font->Reference());
        f.AddKey("DescendantFonts", descendants);
        f.AddKey("ToUnicode", to_unicode->Reference());
        return glyphless_font_;
    }

    static std::string xml_escape(const std::string& s) {
        std::string out;
        for (char ch : s) {
            switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += ch;
            }
        }
        return out;
    }

    // PDF/A-2b: XMP metadata mirroring the document information, an sRGB OutputIntent.
    void make_pdfa() {
        const auto icc_path = srgb_profile(options_.icc_profile_path);
        const auto icc = read_binary(icc_path);
        if (icc.empty())
            throw PipelineError("PDF/A needs an sRGB ICC profile (package icc-profiles-free)");
        auto& objects = doc_.GetObjects();
        PdfObject* profile = objects.CreateObject();
        profile->GetDictionary().AddKey("N", PdfVariant(static_cast<pdf_int64>(3)));
        profile->GetStream()->Set(icc.data(), static_cast<pdf_long>(icc.size()));
        PdfDictionary intent;
        intent.AddKey("Type", PdfName("OutputIntent"));
        intent.AddKey("S", PdfName("GTS_PDFA1"));
        intent.AddKey("OutputConditionIdentifier", PdfString("sRGB IEC61966-2.1"));
        intent.AddKey("Info", PdfString("sRGB IEC61966-2.1"));
        intent.AddKey("DestOutputProfile", profile->Reference());
        PdfArray intents;
        intents.push_back(intent);
        doc_.GetCatalog()->GetDictionary().AddKey("OutputIntents", intents);

        // The information dictionary and the XMP must agree; dates in both, the same instant.
        PdfInfo* info = doc_.GetInfo();
        std::time_t t = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char pdf_date[32], xmp_date[32];
        std::strftime(pdf_date, sizeof pdf_date, "D:%Y%m%d%H%M%S+00'00'", &tm);
        std::strftime(xmp_date, sizeof xmp_date, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
        PdfDictionary& info_dict = info->GetObject()->GetDictionary();
        info_dict.AddKey("CreationDate", PdfString(pdf_date));
        info_dict.AddKey("ModDate", PdfString(pdf_date));
        const std::string date = xmp_date;
        std::ostringstream xmp;
        xmp << "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
            << "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
            << "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
            << "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">"
            << "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></"
               "rdf:Description>\n"
            << "<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">"
            << "<xmp:CreateDate>" << date << "</xmp:CreateDate><xmp:ModifyDate>" << date
            << "</xmp:ModifyDate><xmp:CreatorTool>" << xml_escape(options_.producer)
            << "</xmp:CreatorTool></rdf:Description>\n"
            << "<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">"
            << "<pdf:Producer>" << xml_escape(options_.producer)
            << "</pdf:Producer></rdf:Description>\n";
        if (!options_.title.empty())
            xmp << "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                << "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">"
                << xml_escape(options_.title)
                << "</rdf:li></rdf:Alt></dc:title></rdf:Description>\n";
        xmp << "</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>";
        const std::string packet = xmp.str();
        PdfObject* metadata = objects.CreateObject("Metadata");
        metadata->GetDictionary().AddKey("Subtype", PdfName("XML"));
        // Uncompressed, so that archive tools read it without a PDF parser.
        PdfMemoryInputStream in(packet.data(), static_cast<pdf_long>(packet.size()));
        metadata->GetStream()->SetRawData(&in, static_cast<pdf_long>(packet.size()));
        doc_.GetCatalog()->GetDictionary().AddKey("Metadata", metadata->Reference());
    }

    const PdfOptions& options_;
    PdfMemDocument doc_;
    PdfObject* glyphless_font_ = nullptr;
};

} // namespace

std::vector<unsigned char> write_pdf(const std::vector<ScannedPage>& pages,
                                     const PdfOptions& options) {
    return ScanPdfWriter(options).write(pages);
}

} // namespace ow::devices

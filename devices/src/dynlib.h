// Internal: SANE (scanners), leptonica (page pipeline) and tesseract (OCR) are loaded on first use
// (dlopen), not linked. Together they pull in ICU, libxml2, libusb, libarchive, libgomp, webp,
// openjp2 … whose symbol binding at start-up cost every onewindow-cli command about 11 ms — a
// `sign` or `verify` that scans nothing would pay it. The prototypes still come from the real
// headers (tesseract's C API).
#pragma once

#include <leptonica/allheaders.h>
#include <sane/sane.h>
#include <tesseract/capi.h>

namespace ow::devices::detail {

#define OW_DEVICES_LEPTONICA_FUNCTIONS(X)                                                          \
    X(boxCreate)                                                                                   \
    X(boxDestroy)                                                                                  \
    X(boxGetGeometry)                                                                              \
    X(composeRGBPixel)                                                                             \
    X(extractRGBValues)                                                                            \
    X(getLeptonicaVersion)                                                                         \
    X(lept_free)                                                                                   \
    X(numaAddNumber)                                                                               \
    X(numaCreate)                                                                                  \
    X(numaDestroy)                                                                                 \
    X(pixClipBoxToForeground)                                                                      \
    X(pixClipRectangle)                                                                            \
    X(pixClone)                                                                                    \
    X(pixConvertRGBToLuminance)                                                                    \
    X(pixConvertTo1)                                                                               \
    X(pixConvertTo8)                                                                               \
    X(pixCopy)                                                                                     \
    X(pixCountPixels)                                                                              \
    X(pixCreate)                                                                                   \
    X(pixDestroy)                                                                                  \
    X(pixEndianByteSwap)                                                                           \
    X(pixFindSkewSweepAndSearch)                                                                   \
    X(pixGetColormap)                                                                              \
    X(pixGetData)                                                                                  \
    X(pixGetDepth)                                                                                 \
    X(pixGetHeight)                                                                                \
    X(pixGetRankValue)                                                                             \
    X(pixGetWidth)                                                                                 \
    X(pixGetWpl)                                                                                   \
    X(pixGetXRes)                                                                                  \
    X(pixOr)                                                                                       \
    X(pixReadMem)                                                                                  \
    X(pixReduceRankBinary2)                                                                        \
    X(pixRemoveColormap)                                                                           \
    X(pixRotate)                                                                                   \
    X(pixRotateOrth)                                                                               \
    X(pixSauvolaBinarizeTiled)                                                                     \
    X(pixScaleAreaMap)                                                                             \
    X(pixSelectBySize)                                                                             \
    X(pixSetResolution)                                                                            \
    X(pixTRCMap)                                                                                   \
    X(pixThresholdToBinary)                                                                        \
    X(pixWriteMemJpeg)                                                                             \
    X(pixWriteMemPng)                                                                              \
    X(pixWriteMemTiff)                                                                             \
    X(setMsgSeverity)

#define OW_DEVICES_TESSERACT_FUNCTIONS(X)                                                          \
    X(TessVersion)                                                                                 \
    X(TessDeleteText)                                                                              \
    X(TessBaseAPICreate)                                                                           \
    X(TessBaseAPIDelete)                                                                           \
    X(TessBaseAPIInit2)                                                                            \
    X(TessBaseAPISetVariable)                                                                      \
    X(TessBaseAPISetPageSegMode)                                                                   \
    X(TessBaseAPISetImage2)                                                                        \
    X(TessBaseAPISetSourceResolution)                                                              \
    X(TessBaseAPIRecognize)                                                                        \
    X(TessBaseAPIGetUTF8Text)                                                                      \
    X(TessBaseAPIGetIterator)                                                                      \
    X(TessBaseAPIClear)                                                                            \
    X(TessBaseAPIEnd)                                                                              \
    X(TessResultIteratorDelete)                                                                    \
    X(TessResultIteratorGetPageIteratorConst)                                                      \
    X(TessResultIteratorNext)                                                                      \
    X(TessResultIteratorGetUTF8Text)                                                               \
    X(TessResultIteratorConfidence)                                                                \
    X(TessPageIteratorBoundingBox)

#define OW_DEVICES_SANE_FUNCTIONS(X)                                                               \
    X(sane_init)                                                                                   \
    X(sane_exit)                                                                                   \
    X(sane_get_devices)                                                                            \
    X(sane_open)                                                                                   \
    X(sane_close)                                                                                  \
    X(sane_get_option_descriptor)                                                                  \
    X(sane_control_option)                                                                         \
    X(sane_get_parameters)                                                                         \
    X(sane_start)                                                                                  \
    X(sane_read)                                                                                   \
    X(sane_cancel)                                                                                 \
    X(sane_strstatus)

struct SaneApi {
#define OW_DECLARE(name) decltype(&::name) name = nullptr;
    OW_DEVICES_SANE_FUNCTIONS(OW_DECLARE)
#undef OW_DECLARE
};

struct LeptonicaApi {
#define OW_DECLARE(name) decltype(&::name) name = nullptr;
    OW_DEVICES_LEPTONICA_FUNCTIONS(OW_DECLARE)
#undef OW_DECLARE
};

struct TesseractApi {
#define OW_DECLARE(name) decltype(&::name) name = nullptr;
    OW_DEVICES_TESSERACT_FUNCTIONS(OW_DECLARE)
#undef OW_DECLARE
};

// Load the library on the first call; throw PipelineError (ScanError for SANE) naming what is
// missing.
const SaneApi& sane();
const LeptonicaApi& lept();
const TesseractApi& tess();

} // namespace ow::devices::detail

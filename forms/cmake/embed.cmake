# Turns a data file into a C++ source that returns its bytes, so the library works without its data
# directory (the shipped copy can still be replaced by a synced one at run time).
# Usage: cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name -P embed.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp" "// Generated from a file under forms/data by embed.cmake. Do not edit.
#include <string_view>
namespace ow::forms::detail {
namespace {
const unsigned char data[] = {
${bytes}0x00};
} // namespace
std::string_view ${SYMBOL}() {
    return {reinterpret_cast<const char*>(data), ${size}};
}
} // namespace ow::forms::detail
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")

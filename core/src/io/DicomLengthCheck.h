#pragma once
// GDCM allocates (and zeroes) whatever length a data element declares before it notices the file
// ends: a 2 KB file declaring 1.3 GB of pixel data took 1.5 GB and 13 s to refuse. This walks the
// file's data elements without allocating and refuses one whose declared length cannot fit.
#include <string>

namespace protolabel::core {

// Throws Error(CorruptFile) when an element of `file` declares more bytes than the file has left
// (above a few MB, where an allocation starts to matter). Returns quietly for files it cannot walk
// (not Part 10, deflated, big endian): GDCM's own checks apply to those.
void refuseImpossibleElementLengths(const std::string& file);

}  // namespace protolabel::core

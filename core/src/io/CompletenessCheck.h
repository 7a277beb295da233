#pragma once
// ITK's NIfTI and MetaImage readers return short reads without an error, leaving zeros where a
// truncated file ended. These checks compare the bytes a file holds with what its header announces,
// so a truncated file is refused instead of shown half-empty. (DICOM: see GdcmWarningCapture.)
#include <itkImageIOBase.h>

#include <string>
#include <vector>

namespace protolabel::core {

// Call after io.ReadImageInformation(). Throws CorruptFile when `path` is shorter than its header says.
void requireCompleteData(const std::string& path, itk::ImageIOBase& io);

// Call before ITK parses a NIfTI file (.nii, .nii.gz, .hdr): refuses what niftilib and ITK would
// accept silently or abort on: a NaN or infinite orientation (sform, qform, pixdim), zero or
// negative dimensions, a bitpix that disagrees with the datatype, a data offset inside the header,
// and NaN or infinite float voxels (niftilib would zero them; returns their count, for the caller's
// non-finite policy, without refusing).
int64_t checkNiftiHeader(const std::string& path);

// Call before ITK parses a MetaImage header (.mha, .mhd): every line "Key = Value" with a printable
// key of at most 128 characters, up to the ElementDataFile line (MetaIO overflows a buffer otherwise),
// and NDims from 1 to 10 (MetaIO reads that many numbers per field: a huge one hangs it).
void checkMetaImageHeader(const std::string& path);

}  // namespace protolabel::core

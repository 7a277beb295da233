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

}  // namespace protolabel::core

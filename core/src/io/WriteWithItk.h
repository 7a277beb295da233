#pragma once
#include <itkMetaDataDictionary.h>

#include <string>

#include "protolabel/core/Volume.h"

namespace protolabel::core {

// Writes `volume` through ITK's writer for the extension of `path`, atomically, with optional
// header fields (`meta`, written by NRRD as `key:=value`).
void writeWithItk(const Volume& volume, const std::string& path, bool compress, const itk::MetaDataDictionary* meta);

}  // namespace protolabel::core

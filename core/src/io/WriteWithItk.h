#pragma once
#include <itkMetaDataDictionary.h>

#include <memory>
#include <string>

#include "AtomicWrite.h"

#include "protolabel/core/Volume.h"

namespace protolabel::core {

// Writes `volume` through ITK's writer for the extension of `path`, atomically, with optional
// header fields (`meta`, written by NRRD as `key:=value`). The written file is read back (header
// and data size) before it replaces anything: ITK and niftilib let short writes pass.
void writeWithItk(const Volume& volume, const std::string& path, bool compress, const itk::MetaDataDictionary* meta);
// The same, staged: nothing replaces `path` until the result's commit() (files written in pairs).
std::unique_ptr<StagedWrite> stageWithItk(const Volume& volume, const std::string& path, bool compress,
                                          const itk::MetaDataDictionary* meta);

}  // namespace protolabel::core

#pragma once
// LibTorch 1.13's zip reader (miniz) reads out of bounds on a damaged Zip64 directory, and its
// unpickler allocates whatever length a pickled string declares (4 GB from a 3 KB file): both found
// by fuzz_model / fuzz_model_pth. This walks the archive's directory and every data.pkl's opcodes
// first, without allocating, and refuses what cannot be a well-formed archive.
#include <string>
#include <vector>

namespace protolabel::inference {

// Returns an empty string when `bytes` may be handed to LibTorch, else why not (for the user).
std::string whyNotATorchArchive(const std::vector<char>& bytes);

// The same for a model archive's module source (stored deflated, so read through LibTorch's zip
// reader once the directory passed): LibTorch compiles it as TorchScript, and its parser crashes on
// damaged source. Only the classes LibTorch generates to list an archive's attributes pass.
std::string whyNotModuleSource(const std::string& source);

// Whether `record` (relative to the archive's root) is one of those sources or its debug pickle:
// code/__torch__.py, code/__torch__/___torch_mangle_N.py.
bool isGeneratedSourceName(const std::string& record);

}  // namespace protolabel::inference

#include "protolabel/core/io/TrainingVolumeFile.h"

#include <fstream>
#include <sstream>

#include "AtomicWrite.h"
#include "protolabel/core/Error.h"

namespace protolabel::core {

namespace {
template <class T>
void writeAs(std::ofstream& out, const Volume& volume) {
  const Volume converted = volume.convertedTo(PixelTypeOf<T>::value);
  out.write(static_cast<const char*>(converted.rawData()), std::streamsize(converted.byteCount()));
}
}  // namespace

void writeTrainingVolume(const std::string& path, const Volume& image, const Volume& supervoxels, const Volume* labels) {
  if (supervoxels.size() != image.size() || (labels && labels->size() != image.size()))
    throw Error(ErrorCode::GridMismatch, "the supervoxels or labels for " + path + " differ in size from the image");
  const Size3& s = image.size();
  const Vec3& sp = image.geometry().spacing;
  checkWriteTarget(path, {});
  writeAtomically(path, [&](const std::string& temp) {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << "PROTOLABEL-TRAINING-VOLUME 1\nsize " << s[0] << ' ' << s[1] << ' ' << s[2] << "\nspacing " << sp[0] << ' '
        << sp[1] << ' ' << sp[2] << "\ndata\n";
    writeAs<float>(out, image);
    writeAs<uint16_t>(out, supervoxels);
    writeAs<uint16_t>(out, labels ? *labels : Volume(image.geometry(), PixelType::UInt16));
    out.flush();
    if (!out) throw Error(ErrorCode::WriteFailed, "cannot write " + path, path);
  });
}

}  // namespace protolabel::core

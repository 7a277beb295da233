#pragma once
// Conversions between core::Volume and itk::Image, without copying voxels where possible.
#include <itkImage.h>
#include <itkImageIOBase.h>
#include <itkImportImageContainer.h>

#include <memory>
#include <mutex>
#include <string>

#include "protolabel/core/Volume.h"

namespace protolabel::core {

template <class T>
using ItkImage3 = itk::Image<T, 3>;

void ensureItkIoFactories();

// The NIfTI, NRRD or MetaImage reader that recognises the file, or null. Never GDCM: its check
// reads the whole file and can abort or allocate gigabytes on a damaged one, so it runs only in the
// helper process (CrashIsolation.h). ITK's factory would try it in-process on any unrecognised file.
itk::ImageIOBase::Pointer createFileImageIO(const std::string& path);

// ITK 5.2's NiftiImageIO::ReadImageInformation compares and assigns a function-local static
// std::string (the last file name) without a lock, so two threads reading NIfTI headers at once (the
// viewer's autosave checking what it wrote while the user saves or a scan loads) race on it, and two
// assignments at once can corrupt the heap (found by ThreadSanitizer in test_gui). Every header read
// of a file reader, ITK's own inside ImageFileReader included, holds this lock.
std::unique_lock<std::mutex> lockImageInformation();
void readImageInformation(itk::ImageIOBase& io);

ImageGeometry geometryFromItk(const itk::ImageBase<3>& image);
void applyGeometryToItk(const ImageGeometry& geometry, itk::ImageBase<3>& image);

// Maps a file's component type to the pixel type we keep in memory (wider or float where needed).
PixelType pixelTypeForComponent(itk::IOComponentEnum component);

// The volume adopts the ITK image's buffer; the image stays alive as long as the volume.
template <class T>
Volume volumeFromItk(typename ItkImage3<T>::Pointer image) {
  auto holder = std::make_shared<typename ItkImage3<T>::Pointer>(image);
  return Volume(geometryFromItk(*image), PixelTypeOf<T>::value, holder, image->GetBufferPointer());
}

// An ITK image that views the volume's voxels (no copy). The volume must outlive the image.
template <class T>
typename ItkImage3<T>::Pointer itkViewOf(const Volume& volume) {
  auto image = ItkImage3<T>::New();
  typename ItkImage3<T>::RegionType region;
  typename ItkImage3<T>::SizeType size;
  for (int i = 0; i < 3; ++i) size[i] = static_cast<itk::SizeValueType>(volume.size()[i]);
  region.SetSize(size);
  image->SetRegions(region);
  applyGeometryToItk(volume.geometry(), *image);
  using Container = itk::ImportImageContainer<itk::SizeValueType, T>;
  auto container = Container::New();
  container->SetImportPointer(const_cast<T*>(volume.data<T>()), static_cast<itk::SizeValueType>(volume.voxelCount()),
                              false);
  image->SetPixelContainer(container);
  return image;
}

}  // namespace protolabel::core

#include "ItkBridge.h"

#include <gdcmTrace.h>
#include <itkGDCMImageIOFactory.h>
#include <itkMetaImageIO.h>
#include <itkMetaImageIOFactory.h>
#include <itkNiftiImageIO.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIO.h>
#include <itkNrrdImageIOFactory.h>
#include <itkMultiThreaderBase.h>
#include <itkObjectFactoryBase.h>
#include <itkOutputWindow.h>

#include <mutex>

namespace protolabel::core {

void ensureItkIoFactories() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Registered by hand so that the readers work in every binary, whatever CMake's ITK_USE_FILE did.
    itk::NiftiImageIOFactory::RegisterOneFactory();
    itk::NrrdImageIOFactory::RegisterOneFactory();
    itk::MetaImageIOFactory::RegisterOneFactory();
    itk::GDCMImageIOFactory::RegisterOneFactory();
    gdcm::Trace::WarningOff();
    gdcm::Trace::DebugOff();
    gdcm::Trace::ErrorOff();  // failures reach the user as typed errors instead
    itk::Object::GlobalWarningDisplayOff();
    // ITK 5.2 creates its global singletons on first use and registers them in a map without a lock:
    // the first reads and writes, if they run in several threads at once, race on it. Created here.
    itk::DataObject::GetGlobalReleaseDataFlag();
    itk::MetaImageIO::GetDefaultDoublePrecision();
    itk::MultiThreaderBase::GetGlobalDefaultNumberOfThreads();
    itk::MultiThreaderBase::New();  // the default threader and its thread pool
    itk::OutputWindow::GetInstance();
    itk::TimeStamp().Modified();
  });
}

std::unique_lock<std::mutex> lockImageInformation() {
  static std::mutex mutex;
  return std::unique_lock<std::mutex>(mutex);
}

void readImageInformation(itk::ImageIOBase& io) {
  const auto lock = lockImageInformation();
  io.ReadImageInformation();
}

itk::ImageIOBase::Pointer createFileImageIO(const std::string& path) {
  // The order of ITK's factory as registered above.
  const itk::ImageIOBase::Pointer candidates[] = {itk::NiftiImageIO::New().GetPointer(),
                                                  itk::NrrdImageIO::New().GetPointer(),
                                                  itk::MetaImageIO::New().GetPointer()};
  for (const itk::ImageIOBase::Pointer& io : candidates)
    if (io->CanReadFile(path.c_str())) return io;
  return nullptr;
}

ImageGeometry geometryFromItk(const itk::ImageBase<3>& image) {
  ImageGeometry g;
  const auto size = image.GetLargestPossibleRegion().GetSize();
  for (int i = 0; i < 3; ++i) {
    g.size[i] = static_cast<int64_t>(size[i]);
    g.spacing[i] = image.GetSpacing()[i];
    g.origin[i] = image.GetOrigin()[i];
    for (int j = 0; j < 3; ++j) g.direction[i * 3 + j] = image.GetDirection()(i, j);
  }
  return g;
}

void applyGeometryToItk(const ImageGeometry& g, itk::ImageBase<3>& image) {
  itk::ImageBase<3>::SpacingType spacing;
  itk::ImageBase<3>::PointType origin;
  itk::ImageBase<3>::DirectionType direction;
  for (int i = 0; i < 3; ++i) {
    spacing[i] = g.spacing[i];
    origin[i] = g.origin[i];
    for (int j = 0; j < 3; ++j) direction(i, j) = g.direction[i * 3 + j];
  }
  image.SetSpacing(spacing);
  image.SetOrigin(origin);
  image.SetDirection(direction);
}

PixelType pixelTypeForComponent(itk::IOComponentEnum component) {
  using C = itk::IOComponentEnum;
  switch (component) {
    case C::UCHAR: return PixelType::UInt8;
    case C::CHAR:
    case C::SHORT: return PixelType::Int16;
    case C::USHORT: return PixelType::UInt16;
    case C::INT: return PixelType::Int32;
    default: return PixelType::Float32;  // uint32, 64-bit integers and doubles are read as float
  }
}

}  // namespace protolabel::core

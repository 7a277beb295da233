#include "GdcmWarningCapture.h"

#include <gdcmTrace.h>

#include <iostream>
#include <mutex>
#include <sstream>

namespace protolabel::core {

namespace {

std::mutex& captureMutex() {
  static std::mutex m;
  return m;
}

// A string buffer that several decoding threads may write to at once.
class SynchronizedBuffer : public std::stringbuf {
 public:
  std::string text() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return str();
  }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return std::stringbuf::xsputn(s, n);
  }
  int_type overflow(int_type c) override {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return std::stringbuf::overflow(c);
  }

 private:
  std::recursive_mutex mutex_;  // xsputn may call overflow
};

}  // namespace

struct GdcmWarningCapture::Impl {
  std::lock_guard<std::mutex> lock{captureMutex()};
  SynchronizedBuffer buffer;
  std::ostream stream{&buffer};
};

GdcmWarningCapture::GdcmWarningCapture() : impl_(std::make_unique<Impl>()) {
  gdcm::Trace::SetWarningStream(impl_->stream);
  gdcm::Trace::WarningOn();
}

GdcmWarningCapture::~GdcmWarningCapture() {
  gdcm::Trace::WarningOff();
  gdcm::Trace::SetWarningStream(std::cerr);
}

std::string GdcmWarningCapture::text() const { return impl_->buffer.text(); }

bool GdcmWarningCapture::sawTruncatedPixelData() const {
  return text().find("Incomplete Pixel Data") != std::string::npos;
}

}  // namespace protolabel::core

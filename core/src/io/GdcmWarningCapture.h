#pragma once
// GDCM reports truncated pixel data only as a warning on its global trace stream and returns the
// image anyway. While an instance lives, GDCM's warnings (from any thread) are collected here.
// Instances serialise on a global mutex, since the trace stream is process-wide; do not nest them.
#include <memory>
#include <string>

namespace protolabel::core {

class GdcmWarningCapture {
 public:
  GdcmWarningCapture();
  ~GdcmWarningCapture();
  GdcmWarningCapture(const GdcmWarningCapture&) = delete;
  GdcmWarningCapture& operator=(const GdcmWarningCapture&) = delete;

  std::string text() const;
  bool sawTruncatedPixelData() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace protolabel::core

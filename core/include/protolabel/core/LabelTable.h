#pragma once
// The names, colours and display state of the labels of a label map.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace protolabel::core {

struct LabelEntry {
  uint16_t value = 0;
  std::string name;
  std::array<uint8_t, 3> color{255, 0, 0};
  double opacity = 1.0;  // 0..1
  bool visible = true;
  bool meshVisible = true;
  bool locked = false;
};

class LabelTable {
 public:
  // Adds or replaces the entry with the same value; keeps entries sorted by value.
  void set(const LabelEntry& entry);
  // Adds a label with a default name and a distinct colour.
  const LabelEntry& addDefault(uint16_t value);
  bool remove(uint16_t value);
  const LabelEntry* find(uint16_t value) const;
  LabelEntry* find(uint16_t value);
  const std::vector<LabelEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

  // A colour from a fixed palette of well-separated hues, indexed by label value.
  static std::array<uint8_t, 3> defaultColor(uint16_t value);

  bool operator==(const LabelTable& other) const;

 private:
  std::vector<LabelEntry> entries_;
};

bool operator==(const LabelEntry& a, const LabelEntry& b);

}  // namespace protolabel::core

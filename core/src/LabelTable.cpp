#include "protolabel/core/LabelTable.h"

#include <algorithm>
#include <cmath>

namespace protolabel::core {

void LabelTable::set(const LabelEntry& entry) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), entry.value,
                             [](const LabelEntry& e, uint16_t v) { return e.value < v; });
  if (it != entries_.end() && it->value == entry.value)
    *it = entry;
  else
    entries_.insert(it, entry);
}

const LabelEntry& LabelTable::addDefault(uint16_t value) {
  LabelEntry entry;
  entry.value = value;
  entry.name = "Label " + std::to_string(value);
  entry.color = defaultColor(value);
  set(entry);
  return *find(value);
}

bool LabelTable::remove(uint16_t value) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const LabelEntry& e) { return e.value == value; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

const LabelEntry* LabelTable::find(uint16_t value) const {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const LabelEntry& e) { return e.value == value; });
  return it == entries_.end() ? nullptr : &*it;
}

LabelEntry* LabelTable::find(uint16_t value) {
  return const_cast<LabelEntry*>(static_cast<const LabelTable*>(this)->find(value));
}

std::array<uint8_t, 3> LabelTable::defaultColor(uint16_t value) {
  // The first colours follow ITK-SNAP's defaults, so files look familiar in both tools.
  static const std::array<uint8_t, 3> palette[] = {
      {255, 0, 0},   {0, 255, 0},     {0, 0, 255},     {255, 255, 0}, {0, 255, 255},  {255, 0, 255},
      {255, 239, 213}, {0, 0, 205},   {205, 133, 63},  {210, 180, 140}, {102, 205, 170}, {0, 0, 128},
      {0, 139, 139}, {46, 139, 87},   {255, 228, 225}, {106, 90, 205}, {221, 160, 221}, {233, 150, 122},
  };
  constexpr std::size_t n = sizeof(palette) / sizeof(palette[0]);
  if (value == 0) return {0, 0, 0};
  return palette[(value - 1) % n];
}

bool operator==(const LabelEntry& a, const LabelEntry& b) {
  return a.value == b.value && a.name == b.name && a.color == b.color && std::abs(a.opacity - b.opacity) < 1e-3 &&
         a.visible == b.visible && a.meshVisible == b.meshVisible && a.locked == b.locked;
}

bool LabelTable::operator==(const LabelTable& other) const { return entries_ == other.entries_; }

}  // namespace protolabel::core

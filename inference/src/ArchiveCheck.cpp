#include "ArchiveCheck.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace protolabel::inference {

namespace {

uint64_t little(const char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | uint8_t(p[i]);
  return v;
}

bool signatureAt(const std::vector<char>& b, uint64_t at, uint32_t signature) {
  return at + 4 <= b.size() && little(b.data() + at, 4) == signature;
}

// The pickle's opcodes, their arguments skipped by size and their effect on the unpickler's stack
// and memo replayed: a declared length beyond the pickle's end, an opcode taking more than the stack
// (or its last mark) holds, a memo entry read before it was written or numbered out of order is
// refused (LibTorch's unpickler reads past its stack, or allocates by the index, on those). Returns quietly at an opcode it does not know.
std::string whyNotAPickle(const char* p, uint64_t size) {
  uint64_t at = 0;
  auto counted = [&](int lengthBytes) -> bool {  // a length of `lengthBytes` bytes, then that many bytes
    if (at + uint64_t(lengthBytes) > size) return false;
    const uint64_t n = little(p + at, lengthBytes);
    at += uint64_t(lengthBytes);
    if (n > size - at) return false;
    at += n;
    return true;
  };
  auto line = [&]() -> bool {  // a newline-terminated argument
    const void* end = std::memchr(p + at, '\n', size - at);
    if (!end) return false;
    at = uint64_t(static_cast<const char*>(end) - p) + 1;
    return true;
  };
  uint64_t argument = 0;
  auto fixed = [&](uint64_t n) -> bool {
    if (n > size - at) return false;
    argument = little(p + at, int(n));
    at += n;
    return true;
  };
  uint64_t depth = 0;            // values on the stack above the innermost mark
  std::vector<uint64_t> marks;   // the depths below each open mark
  std::set<uint64_t> memo;
  // Takes `pop` values and leaves `push`; false when the stack above the last mark holds fewer.
  auto take = [&](uint64_t pop, uint64_t push) -> bool {
    if (depth < pop) return false;
    depth = depth - pop + push;
    return true;
  };
  // The top of the stack into the memo. Picklers number entries in order; LibTorch sizes its memo
  // table by the largest index (a 28 GB allocation from a 1 KB file), so an index beyond the next
  // one is refused.
  auto put = [&](uint64_t index) -> bool {
    if ((depth < 1 && marks.empty()) || index > memo.size()) return false;
    memo.insert(index);
    return true;
  };
  auto toMark = [&](uint64_t push) -> bool {  // everything above the last mark, then the mark
    if (marks.empty()) return false;
    depth = marks.back() + push;
    marks.pop_back();
    return true;
  };
  const std::string damaged = "its pickled data is damaged";
  while (at < size) {
    const uint8_t op = uint8_t(p[at++]);
    bool ok = true;
    switch (op) {
      case '.': return depth >= 1 ? std::string() : damaged;  // STOP
      // Constants: push one.
      case 'X': case 'B': case 'T': ok = counted(4) && take(0, 1); break;    // BINUNICODE, BINBYTES, BINSTRING
      case 'C': case 'U': case 0x8c: ok = counted(1) && take(0, 1); break;   // SHORT_BINBYTES, SHORT_BINSTRING, SHORT_BINUNICODE
      case 0x8d: case 0x8e: case 0x96: ok = counted(8) && take(0, 1); break; // BINUNICODE8, BINBYTES8, BYTEARRAY8
      case 0x8a: ok = counted(1) && take(0, 1); break;                       // LONG1
      case 0x8b: ok = counted(4) && take(0, 1); break;                       // LONG4
      case 'J': case 0x84: ok = fixed(4) && take(0, 1); break;              // BININT, EXT4
      case 'K': case 0x82: ok = fixed(1) && take(0, 1); break;              // BININT1, EXT1
      case 'M': case 0x83: ok = fixed(2) && take(0, 1); break;              // BININT2, EXT2
      case 'G': ok = fixed(8) && take(0, 1); break;                          // BINFLOAT
      case 'c': ok = line() && line() && take(0, 1); break;                  // GLOBAL module \n name \n
      case 'I': case 'L': case 'F': case 'S': case 'V': case 'P': ok = line() && take(0, 1); break;
      case 'N': case 0x88: case 0x89: case ')': case ']': case '}': case 0x8f: case 0x97: ok = take(0, 1); break;
      // The memo.
      case 'h': ok = fixed(1) && memo.count(argument) && take(0, 1); break;  // BINGET
      case 'j': ok = fixed(4) && memo.count(argument) && take(0, 1); break;  // LONG_BINGET
      case 'q': ok = fixed(1) && put(argument); break;  // BINPUT
      case 'r': ok = fixed(4) && put(argument); break;  // LONG_BINPUT
      case 0x94: ok = put(memo.size()); break;          // MEMOIZE
      // Framing.
      case 0x80: ok = fixed(1); break;  // PROTO
      case 0x95: ok = fixed(8); break;  // FRAME
      // Marks and what consumes them.
      case '(': marks.push_back(depth), depth = 0; break;
      case 't': case 'l': case 'd': case 0x91: ok = toMark(1); break;          // TUPLE, LIST, DICT, FROZENSET
      case 'e': case 'u': case 0x90: ok = !marks.empty() && marks.back() >= 1 && toMark(0); break;  // APPENDS, SETITEMS, ADDITEMS
      case '1': ok = toMark(0); break;                                          // POP_MARK
      // Stack operations.
      case 0x85: ok = take(1, 1); break;  // TUPLE1
      case 0x86: ok = take(2, 1); break;  // TUPLE2
      case 0x87: ok = take(3, 1); break;  // TUPLE3
      case 'a': case 'b': case 'R': case 0x81: case 0x93: ok = take(2, 1); break;  // APPEND, BUILD, REDUCE, NEWOBJ, STACK_GLOBAL
      case 's': case 0x92: ok = take(3, 1); break;                                 // SETITEM, NEWOBJ_EX
      case 'Q': case 0x98: ok = take(1, 1); break;                                 // BINPERSID, READONLY_BUFFER
      case '0': ok = take(1, 0); break;                                            // POP
      case '2': ok = take(1, 2); break;                                            // DUP
      default: return {};  // GET, PUT, INST, OBJ and anything newer: LibTorch decides
    }
    if (!ok) return damaged;
  }
  return damaged;  // no STOP
}

}  // namespace

namespace {

// "name" without escapes at `at`, which moves past it.
bool quotedName(const std::string& text, std::size_t& at) {
  if (at >= text.size() || text[at] != '"') return false;
  const std::size_t close = text.find('"', at + 1);
  if (close == std::string::npos || text.find('\\', at) < close) return false;
  at = close + 1;
  return true;
}

bool startsWith(const std::string& text, const std::string& prefix) { return text.compare(0, prefix.size(), prefix) == 0; }

bool digitsOnly(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A value type of the generated classes: plain values, tensors, or another generated class.
bool attributeType(const std::string& type) {
  if (type == "str" || type == "int" || type == "float" || type == "bool" || type == "Tensor") return true;
  const std::string prefix = "__torch__.___torch_mangle_", suffix = ".Module";
  return type.size() > prefix.size() + suffix.size() && startsWith(type, prefix) &&
         type.compare(type.size() - suffix.size(), suffix.size(), suffix) == 0 &&
         digitsOnly(type.substr(prefix.size(), type.size() - prefix.size() - suffix.size()));
}

// A line of the class body LibTorch generates for an archive's attributes.
bool generatedClassLine(const std::string& line) {
  if (line == "  __annotations__ = []") return true;
  for (const std::string prefix : {"  __parameters__ = [", "  __buffers__ = ["}) {
    if (!startsWith(line, prefix)) continue;
    std::size_t at = prefix.size();
    while (at < line.size() && line[at] == '"') {
      if (!quotedName(line, at) || line.compare(at, 2, ", ") != 0) return false;
      at += 2;
    }
    return line.compare(at, std::string::npos, "]") == 0;
  }
  // An attribute of a nested archive (a checkpoint's optimizer state): "  name : Type".
  if (const std::size_t colon = line.find(" : "); colon != std::string::npos && colon > 2 && startsWith(line, "  ")) {
    const std::string name = line.substr(2, colon - 2);
    const bool identifier = std::all_of(name.begin(), name.end(), [](char c) {
      return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
    return identifier && !(name[0] >= '0' && name[0] <= '9') && attributeType(line.substr(colon + 3));
  }
  const std::string prefix = "  __annotations__[";
  std::size_t at = prefix.size();
  if (!startsWith(line, prefix) || !quotedName(line, at) || line.compare(at, 4, "] = ") != 0) return false;
  return attributeType(line.substr(at + 4));
}

}  // namespace

bool isGeneratedSourceName(const std::string& record) {
  std::string stem = record;
  for (const std::string ending : {".py.debug_pkl", ".py"})
    if (stem.size() > ending.size() && stem.compare(stem.size() - ending.size(), ending.size(), ending) == 0) {
      stem.resize(stem.size() - ending.size());
      if (stem == "code/__torch__") return true;
      const std::string mangled = "code/__torch__/___torch_mangle_";
      return startsWith(stem, mangled) && digitsOnly(stem.substr(mangled.size()));
    }
  return false;
}

std::string whyNotModuleSource(const std::string& text) {
  const std::string damaged = "its module source is not what ProtoLabel writes";
  bool header = false;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    if (line == "class Module(Module):") {
      header = true;
    } else if (!header || !generatedClassLine(line)) {
      return damaged;
    }
  }
  return header ? std::string() : damaged;
}

std::string whyNotATorchArchive(const std::vector<char>& b) {
  const std::string damaged = "its zip directory is damaged";
  const uint64_t size = b.size();
  if (size < 22) return "it is too short to be an archive";
  // The end of central directory record: within the last 64 KB (its comment) of the file.
  uint64_t end = size - 22;
  const uint64_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
  while (!signatureAt(b, end, 0x06054b50)) {
    if (end == lowest) return "it is not a zip archive (no central directory)";
    --end;
  }
  // PyTorch writes no archive comment and nothing after the record: a record found elsewhere is
  // a stray signature inside damaged data (miniz read freed memory after one, fuzz_model_pth).
  if (end + 22 + little(b.data() + end + 20, 2) != size) return damaged;
  uint64_t entries = little(b.data() + end + 10, 2), directorySize = little(b.data() + end + 12, 4),
           directory = little(b.data() + end + 16, 4), directoryEnd = end;
  // Zip64: a locator just before, pointing at the Zip64 end record, which holds the real figures.
  if (end >= 20 && signatureAt(b, end - 20, 0x07064b50)) {
    const uint64_t record = little(b.data() + end - 20 + 8, 8);
    if (record > end - 20 || end - 20 - record < 56 || !signatureAt(b, record, 0x06064b50)) return damaged;
    entries = little(b.data() + record + 32, 8);
    directorySize = little(b.data() + record + 40, 8);
    directory = little(b.data() + record + 48, 8);
    directoryEnd = record;
  }
  if (entries == 0 || directory > directoryEnd || directorySize > directoryEnd - directory || entries > directorySize / 46)
    return damaged;
  uint64_t at = directory;
  for (uint64_t i = 0; i < entries; ++i) {
    if (at + 46 > directory + directorySize || !signatureAt(b, at, 0x02014b50)) return damaged;
    const char* h = b.data() + at;
    const uint64_t method = little(h + 10, 2), nameLength = little(h + 28, 2), extraLength = little(h + 30, 2),
                   commentLength = little(h + 32, 2);
    uint64_t compressed = little(h + 20, 4), uncompressed = little(h + 24, 4), local = little(h + 42, 4);
    if (at + 46 + nameLength + extraLength + commentLength > directory + directorySize) return damaged;
    // Zip64 sizes and offset, in that order, for the fields saturated at 0xFFFFFFFF.
    for (uint64_t e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength;) {
      const uint64_t id = little(b.data() + e, 2), length = little(b.data() + e + 2, 2);
      if (e + 4 + length > at + 46 + nameLength + extraLength) return damaged;
      if (id == 1) {
        uint64_t field = e + 4;
        for (uint64_t* v : {&uncompressed, &compressed, &local})
          if (*v == 0xFFFFFFFFu) {
            if (field + 8 > e + 4 + length) return damaged;
            *v = little(b.data() + field, 8);
            field += 8;
          }
      }
      e += 4 + length;
    }
    // PyTorch writes every record stored (uncompressed), after a local header of 30 bytes + name + extra.
    if (local + 30 > directory || !signatureAt(b, local, 0x04034b50)) return damaged;
    const uint64_t data = local + 30 + little(b.data() + local + 26, 2) + little(b.data() + local + 28, 2);
    if (data > directory || compressed > directory - data || (method == 0 && compressed != uncompressed))
      return damaged;
    const std::string name(h + 46, std::size_t(nameLength));
    auto endsWith = [&](const std::string& tail) {
      return name.size() >= tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
    };
    // Only the module source may be deflated (LibTorch compresses it); a bomb's declared size is refused.
    const bool code = name.find("/code/") != std::string::npos;
    if (method != 0 && (!code || endsWith(".pkl") || uncompressed > (uint64_t{64} << 20))) return damaged;
    if (code && !isGeneratedSourceName(name.substr(name.find("/code/") + 1)))
      return "its module source is not what ProtoLabel writes";
    if (endsWith(".pkl"))
      if (std::string why = whyNotAPickle(b.data() + data, compressed); !why.empty()) return why;
    at += 46 + nameLength + extraLength + commentLength;
  }
  return {};
}

}  // namespace protolabel::inference

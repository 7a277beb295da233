// A stand-in for the desktop application's autosave, for the fault tests: writes a label map into a
// recovery folder with core's RecoveryStore, as the window's autosave does, so the test can kill it
// mid-write.   fault_writer FOLDER SOURCE LABELS
#include <iostream>

#include "protolabel/core/io/LabelIO.h"
#include "protolabel/core/session/RecoveryStore.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: fault_writer FOLDER SOURCE LABELS\n";
    return 2;
  }
  protolabel::core::RecoveryStore store(argv[1]);
  store.save(protolabel::core::readLabelMap(argv[3]), argv[2]);
  std::cout << "saved\n";
  return 0;
}

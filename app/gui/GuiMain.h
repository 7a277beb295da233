#pragma once
// The desktop application: `protolabel [IMAGE [LABELS]]` or `protolabel --screenshot OUT.png [IMAGE [LABELS]]`.
namespace protolabel::app {
int runGui(int argc, char** argv);
}

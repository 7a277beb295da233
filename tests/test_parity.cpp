// The paper preset against the authors' reference: every recorded tensor of the public parity
// vectors (module by module, end to end, training path and losses) within its tolerance.
#include <QtTest>

#include "TestSupport.h"
#include "protolabel/inference/Parity.h"

class ParityTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void publicVectorsPass() {
    const std::string path = std::string(PROTOLABEL_TEST_DATA) + "/../testdata/cow-parity/vectors.pt";
    const protolabel::inference::ParityReport report = protolabel::inference::runParity(path);
    QVERIFY(report.checks.size() >= 40);
    for (const auto& check : report.checks)
      QVERIFY2(check.passed(), (check.key + ": " + check.metric + " error " + std::to_string(check.error) +
                                " above " + std::to_string(check.tolerance))
                                   .c_str());
    QVERIFY(report.passed());
  }
};

QTEST_GUILESS_MAIN(ParityTest)
#include "test_parity.moc"

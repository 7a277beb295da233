#include "protolabel/ui/GuardedApplication.h"

#include <QTimer>
#include <exception>
#include <iostream>

#include "protolabel/core/Error.h"

namespace protolabel::ui {

GuardedApplication::GuardedApplication(int& argc, char** argv) : QApplication(argc, argv) {}

bool GuardedApplication::notify(QObject* receiver, QEvent* event) {
  QString failure;
  try {
    return QApplication::notify(receiver, event);
  } catch (const core::Error& e) {
    failure = QString("Error [%1]: %2").arg(core::errorCodeName(e.code()), QString::fromStdString(e.what()));
  } catch (const std::exception& e) {
    failure = QString("Error [internal]: %1").arg(QString::fromStdString(e.what()));
  } catch (...) {
    failure = "Error [internal]: an unknown failure";
  }
  ++caught_;
  std::cerr << "protolabel: " << failure.toStdString() << "\n";
  // Shown once the failing handler has unwound, never from inside it.
  if (handler_) QTimer::singleShot(0, this, [this, failure] { handler_(failure); });
  return false;
}

}  // namespace protolabel::ui

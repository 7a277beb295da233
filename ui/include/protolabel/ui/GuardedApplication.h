#pragma once
// The application object of the desktop program: every event, and so every slot the GUI thread runs,
// is delivered behind one guard. An exception that escapes a handler is shown to the user (and
// logged) instead of terminating the program with the user's unsaved labels.
#include <QApplication>
#include <QString>
#include <functional>

namespace protolabel::ui {

class GuardedApplication : public QApplication {
 public:
  GuardedApplication(int& argc, char** argv);
  bool notify(QObject* receiver, QEvent* event) override;

  // Who shows a caught failure (the main window's message box); the default writes to stderr.
  void setFailureHandler(std::function<void(const QString&)> handler) { handler_ = std::move(handler); }
  int caughtFailures() const { return caught_; }

 private:
  std::function<void(const QString&)> handler_;
  int caught_ = 0;
};

}  // namespace protolabel::ui

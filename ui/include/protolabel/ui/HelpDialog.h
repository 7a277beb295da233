#pragma once
// Help > Keyboard shortcuts (every menu action with a shortcut, plus the views' mouse and key
// gestures) and Help > About (version, the shipped model's card, the licences).
#include <QList>
#include <QString>

class QAction;
class QDialog;
class QWidget;

namespace protolabel::ui {

struct MainWindowOptions;

enum class HelpDialog { Shortcuts, About };

// The text shown (HTML), for the dialog and its tests.
QString shortcutsHtml(const QList<QAction*>& actions);
QString aboutHtml(const MainWindowOptions& options);

// Opens the dialog (non-modal, deleted on close); returns it.
QDialog* showHelpDialog(QWidget* parent, HelpDialog kind, const MainWindowOptions& options,
                        const QList<QAction*>& actions);

}  // namespace protolabel::ui

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_MAINWINDOW_H
#define STATVENTDASHBOARD_MAINWINDOW_H

#include <QMainWindow>

#include <memory>

class QSettings;

namespace StatventDashboard {

class DashboardController;
class MainWindowPrivate;

/*!
 * The dashboard's window: it shows a DashboardController and forwards what the user does to it.
 * A toolbar (service URL, interval, time window, process, pause, export), the table of every
 * stat, the charts (a ChartGrid) and the distribution of a window (a DistributionPanel) in two
 * tabs, and a status bar saying whether the service answers.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /*!
     * Shows \a controller, which must outlive the window. With \a settings, the controller's
     * settings and the window's layout are read from them now and written by saveSettings() and
     * on close; without, nothing is stored.
     */
    explicit MainWindow(DashboardController *controller, QSettings *settings = nullptr,
                        QWidget *parent = nullptr);
    ~MainWindow() override;

    //! Saves the charts in view as a PNG. On failure \a error says why.
    bool exportCharts(const QString &file, QString *error = nullptr);
    /*!
     * After \a polls more polls (answers or failures), saves a PNG of the whole window to \a file
     * and emits screenshotSaved().
     */
    void saveScreenshotAfter(int polls, const QString &file);

    //! Shows the distribution of the sample window \a window (in the Distribution tab).
    void showDistribution(const QString &window);

    //! Writes the controller's settings and the window's layout to the settings given.
    void saveSettings() const;

Q_SIGNALS:
    void screenshotSaved(const QString &file, bool ok, const QString &error);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    std::unique_ptr<MainWindowPrivate> d;
};

} // namespace StatventDashboard

#endif

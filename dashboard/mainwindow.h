// SPDX-License-Identifier: MIT
#ifndef STATVENT_MAINWINDOW_H
#define STATVENT_MAINWINDOW_H

#include <QMainWindow>
#include <QUrl>

#include <chrono>
#include <memory>

class ChartPanel;
class PercentileGroups;
class QSettings;
class StatHistory;
class StatTableModel;
class StatsPoller;
class MainWindowPrivate;

/*!
 * The dashboard: a toolbar (service URL, interval, time window, process, pause, export), the
 * table of every stat, the charts (one per percentile group, plus the stats selected in the
 * table), and a status bar saying whether the service answers.
 *
 * Data path: StatsPoller -> StatsDocument -> StatHistory (all processes summed, and the chosen
 * process) -> PercentileGroups -> StatTableModel and ChartPanel.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    //! Pass \a settings to remember the URL, interval and layout in it; none: nothing is stored.
    explicit MainWindow(QSettings *settings = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    //! Starts polling (unless paused).
    void start();

    QUrl url() const;
    //! Points the dashboard at another service: its history starts afresh.
    void setUrl(const QUrl &url);
    std::chrono::milliseconds interval() const;
    void setInterval(std::chrono::milliseconds interval);
    //! The sliding window of the charts: 1, 5, 15 or 60 minutes.
    int windowMinutes() const;
    void setWindowMinutes(int minutes);

    //! The process whose stats are shown, or 0 for all processes summed.
    qint64 shownProcess() const;
    //! Shows one process (its history starts now), or all of them summed for 0.
    void showProcess(qint64 pid);
    //! The pids offered in the process chooser.
    QList<qint64> offeredProcesses() const;

    bool isPaused() const;
    void setPaused(bool paused);

    //! Selects stats in the table, which plots them.
    void selectStats(const QStringList &names);
    QStringList selectedStats() const;

    //! Saves the charts in view as a PNG. On failure \a error says why.
    bool exportCharts(const QString &file, QString *error = nullptr);
    /*!
     * After \a polls more polls (answers or failures), saves a PNG of the whole window to \a file
     * and emits screenshotSaved().
     */
    void saveScreenshotAfter(int polls, const QString &file);

    //! Writes URL, interval, window, selection and layout to the settings given at construction.
    void saveSettings() const;

    // What is on screen, for the tests and the benchmark.
    StatsPoller *poller() const;
    const StatHistory &shownHistory() const;
    const PercentileGroups &groups() const;
    StatTableModel *tableModel() const;
    QList<ChartPanel *> charts() const;
    QString connectionStatus() const;
    QString viewNote() const;

Q_SIGNALS:
    //! A poll's answer (or failure) has been shown.
    void refreshed();
    void screenshotSaved(const QString &file, bool ok, const QString &error);

protected:
    void showEvent(QShowEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    std::unique_ptr<MainWindowPrivate> d;
};

#endif

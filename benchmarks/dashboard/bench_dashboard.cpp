// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// How long statvent-dashboard takes from a poll's answer to repainted charts, with 50 percentile
// charts of 5 lines x 3,600 points (60 minutes at 1 Hz), and whether its memory stays flat.
// The baseline, measured in the same run: the same 50 charts drawn the stock Qt Charts way
// (one QLineSeries per line, replace() with the window's points).
//
// BM_LargeAnswer: a 50 MB answer of 1.7 million stats, served over loopback and polled by the
// dashboard as a user runs it: the GUI thread's longest stall and the peak resident memory.
//
// Run: build/bin/bench_dashboard   (sets QT_QPA_PLATFORM=offscreen unless already set)
#include "../runbenchmarks.h"

#include <statventdashboard/chartgrid.h>
#include <statventdashboard/chartpanel.h>
#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/mainwindow.h>
#include <statventdashboard/stathistory.h>
#include <statventdashboard/statsdocument.h>
#include <statventdashboard/statspoller.h>

#include <benchmark/benchmark.h>

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QElapsedTimer>
#include <QFile>
#include <QGridLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineSeries>
#include <QPaintEvent>
#include <QSemaphore>
#include <QSplitter>
#include <QStyleFactory>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QValueAxis>

#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>

#include <sys/resource.h>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr int Charts = 50;
constexpr int PointsPerLine = 3600; // 60 minutes at one poll a second
constexpr int Counters = 50;
constexpr int Processes = 2;
const QStringList Labels = {u"median"_s, u"95th"_s, u"99th"_s, u"100th"_s, u"mean"_s};
constexpr double Start = 1'764'057'600.0;
constexpr int ChartRowHeight = 300;

QString statName(int chart, int label)
{
    return u"service.g%1.latency_ms.%2"_s.arg(chart).arg(Labels[label]);
}

// One `?by=process` answer, as statvent-web serves it, for poll number `poll`: 50 windows of
// 5 aggregates and 50 counters per process.
QByteArray answer(int poll)
{
    QJsonObject processes;
    for (int p = 0; p < Processes; ++p) {
        QJsonObject stats;
        for (int chart = 0; chart < Charts; ++chart) {
            const double base =
                5 + chart + 3 * std::sin(poll / 60.0 + chart) + (poll * 7 % 11) / 10.0;
            for (int label = 0; label < Labels.size(); ++label)
                stats.insert(statName(chart, label), base * (1 + label) + p);
        }
        for (int counter = 0; counter < Counters; ++counter)
            stats.insert(u"service.c%1.requests"_s.arg(counter), qint64(poll) * (counter + 1));
        processes.insert(QString::number(1000 + p), QJsonObject{{u"stats"_s, stats}});
    }
    const QJsonObject root{{u"processes"_s, processes}, {u"timestamp"_s, Start + poll}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

double residentMiB()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toDouble() * 4096.0 / (1024.0 * 1024.0) : 0;
}

// CPU time of the calling thread (the GUI thread), in seconds: unlike wall time, it does not
// count the waits for a core when other programs load the machine.
double threadSeconds()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Counts the pixels the charts repaint: the area a poll costs in fills and blending.
class PaintedArea : public QObject
{
public:
    explicit PaintedArea(const QList<ChartPanel *> &charts)
    {
        for (ChartPanel *chart : charts)
            chart->viewport()->installEventFilter(this);
    }
    qint64 pixels = 0;

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::Paint) {
            for (const QRect &rect : static_cast<QPaintEvent *>(event)->region())
                pixels += qint64(rect.width()) * rect.height();
        }
        return false;
    }
};

// The dashboard as a user runs it, with 60 minutes of history, fed answers straight from the
// poller's signal: everything but the network round trip.
class Dashboard
{
public:
    Dashboard(int height, bool withTable)
    {
        for (int poll = 0; poll < PointsPerLine; ++poll) // hidden: charts wait until shown
            feed(poll);
        controller.setWindowMinutes(60);
        if (!withTable)
            window.findChild<QSplitter *>(u"splitter"_s)->setSizes({0, 1});
        window.resize(1280, height);
        window.show();
        QCoreApplication::processEvents();
    }

    void feed(int poll)
    {
        Q_EMIT controller.poller()->documentReceived(StatsDocument::parse(answer(poll)));
    }
    QList<ChartPanel *> charts() const { return window.findChild<ChartGrid *>()->charts(); }

    DashboardController controller;
    MainWindow window{&controller};
    int nextPoll = PointsPerLine;
};

// Poll to repaint: parse the answer, record it, refresh the table and the charts, and let Qt
// repaint what changed (the posted update requests), exactly as after a real poll.
void pollToRepaint(benchmark::State &state, int windowHeight, bool withTable)
{
    Dashboard dashboard(windowHeight, withTable);
    const double rssBefore = residentMiB();
    PaintedArea painted(dashboard.charts());
    double parsing = 0;
    double updating = 0;
    double painting = 0;
    double guiThread = 0;
    for (auto _ : state) {
        const QByteArray json = answer(dashboard.nextPoll++);
        const double threadStart = threadSeconds();
        const auto start = std::chrono::steady_clock::now();
        const StatsDocument document = StatsDocument::parse(json);
        const auto parsed = std::chrono::steady_clock::now();
        Q_EMIT dashboard.controller.poller()->documentReceived(document); // history, table, charts
        const auto updated = std::chrono::steady_clock::now();
        QCoreApplication::sendPostedEvents(); // the repaint Qt has scheduled
        state.SetIterationTime(secondsSince(start));
        guiThread += threadSeconds() - threadStart;
        parsing += std::chrono::duration<double>(parsed - start).count();
        updating += std::chrono::duration<double>(updated - parsed).count();
        painting += secondsSince(updated);
    }
    // Where a cycle's time goes, in milliseconds per poll.
    const double polls = double(state.iterations());
    state.counters["parse_ms"] = 1000 * parsing / polls;
    state.counters["update_ms"] = 1000 * updating / polls;
    state.counters["paint_ms"] = 1000 * painting / polls;
    state.counters["gui_thread_cpu_ms"] = 1000 * guiThread / polls;
    state.counters["painted_kpx"] = double(painted.pixels) / 1000 / polls;
    int inView = 0;
    qint64 points = 0;
    for (ChartPanel *chart : dashboard.charts()) {
        inView += chart->viewport()->visibleRegion().isEmpty() ? 0 : 1;
        for (int line = 0; line < chart->lines().size(); ++line)
            points += chart->plottedPoints(line).size();
    }
    state.counters["charts"] = double(dashboard.charts().size());
    state.counters["charts_in_view"] = inView;
    state.counters["history_polls"] = dashboard.controller.shownHistory().pollCount();
    state.counters["plotted_points"] = double(points);
    state.counters["rss_MiB"] = residentMiB();
    state.counters["rss_growth_MiB"] = residentMiB() - rssBefore;
}

// A 1280 x 820 window: the table and the charts that fit, as on a desktop.
void BM_PollToRepaint_Window(benchmark::State &state)
{
    pollToRepaint(state, 820, true);
}
BENCHMARK(BM_PollToRepaint_Window)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(300);

// A window tall enough for all 50 charts at once, the table folded away (a wall screen):
// every chart repaints at every poll.
void BM_PollToRepaint_All50InView(benchmark::State &state)
{
    pollToRepaint(state, 200 + (Charts / 2) * ChartRowHeight, false);
}
BENCHMARK(BM_PollToRepaint_All50InView)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(100);

// Baseline: the same 50 charts the stock Qt Charts way, all in view: one QLineSeries per line,
// replace() with the 3,600 points of the window, a QDateTimeAxis sliding with time.
void BM_Baseline_StockQLineSeries(benchmark::State &state)
{
    StatHistory history;
    for (int poll = 0; poll < PointsPerLine; ++poll)
        history.append(Start + poll, StatsDocument::parse(answer(poll)).totals());
    QWidget area;
    auto *grid = new QGridLayout(&area);
    QList<std::pair<QLineSeries *, QString>> lines;
    QList<QChart *> charts;
    for (int chart = 0; chart < Charts; ++chart) {
        auto *view = new QChartView;
        auto *qchart = view->chart();
        qchart->setAnimationOptions(QChart::NoAnimation);
        auto *time = new QDateTimeAxis;
        auto *value = new QValueAxis;
        qchart->addAxis(time, Qt::AlignBottom);
        qchart->addAxis(value, Qt::AlignLeft);
        for (int label = 0; label < Labels.size(); ++label) {
            auto *series = new QLineSeries;
            series->setName(Labels[label]);
            qchart->addSeries(series);
            series->attachAxis(time);
            series->attachAxis(value);
            lines.append({series, statName(chart, label)});
        }
        view->setMinimumHeight(ChartRowHeight - 20);
        grid->addWidget(view, chart / 2, chart % 2);
        charts.append(qchart);
    }
    area.resize(880, (Charts / 2) * ChartRowHeight);
    area.show();
    QCoreApplication::processEvents();

    int poll = PointsPerLine;
    for (auto _ : state) {
        const QByteArray json = answer(poll);
        const auto start = std::chrono::steady_clock::now();
        history.append(Start + poll, StatsDocument::parse(json).totals());
        const double end = Start + poll;
        for (const auto &[series, name] : std::as_const(lines))
            series->replace(history.values(name, end - 3600));
        for (QChart *chart : std::as_const(charts)) {
            chart->axes(Qt::Horizontal)
                .constFirst()
                ->setRange(QDateTime::fromSecsSinceEpoch(qint64(end) - 3600),
                           QDateTime::fromSecsSinceEpoch(qint64(end)));
            chart->axes(Qt::Vertical).constFirst()->setRange(0, 400);
        }
        QCoreApplication::sendPostedEvents();
        state.SetIterationTime(secondsSince(start));
        ++poll;
    }
}
BENCHMARK(BM_Baseline_StockQLineSeries)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// 17 processes (a farm of identical workers) of 100,000 stats each: 1.7 million stats, 52 MB.
QByteArray largeAnswer()
{
    constexpr int LargeProcesses = 17;
    constexpr int StatsPerProcess = 100'000;
    QByteArray json = "{\"processes\": {";
    json.reserve(55 * 1024 * 1024);
    for (int p = 0; p < LargeProcesses; ++p) {
        json += (p ? ", \"" : "\"") + QByteArray::number(2000 + p) + "\": {\"stats\": {";
        for (int i = 0; i < StatsPerProcess; ++i) {
            json += (i ? ", \"service.stat." : "\"service.stat.") + QByteArray::number(100'000 + i)
                + "\": " + QByteArray::number(1'000'000 + i);
        }
        json += "}, \"rejectedLines\": 0}";
    }
    json += "}, \"unanswered\": [], \"timestamp\": "
        + QByteArray::number(qint64(std::time(nullptr))) + "}";
    return json;
}

// Serves one answer to every request from its own thread, so that the GUI thread does only what
// the dashboard does.
class AnswerServer : public QThread
{
public:
    explicit AnswerServer(const QByteArray &body)
        : m_response("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: "
                     "close\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\n\r\n" + body)
    {
    }
    quint16 port()
    {
        m_ready.acquire();
        return m_port;
    }

protected:
    void run() override
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost, 0);
        m_port = server.serverPort();
        m_ready.release();
        while (!isInterruptionRequested()) {
            if (!server.waitForNewConnection(100))
                continue;
            std::unique_ptr<QTcpSocket> socket(server.nextPendingConnection());
            socket->waitForReadyRead(5000);
            socket->readAll();
            socket->write(m_response);
            while (socket->bytesToWrite() > 0 && socket->waitForBytesWritten(5000)) {
            }
            socket->disconnectFromHost();
            if (socket->state() != QAbstractSocket::UnconnectedState)
                socket->waitForDisconnected(1000);
        }
    }

private:
    QByteArray m_response;
    QSemaphore m_ready;
    quint16 m_port = 0;
};

double peakResidentMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

// One iteration is one poll of the 50 MB answer, from the request to the window updated.
void BM_LargeAnswer(benchmark::State &state)
{
    const QByteArray body = largeAnswer();
    AnswerServer server(body);
    server.start();
    const quint16 port = server.port();
    const double peakBefore = peakResidentMiB();

    DashboardController controller;
    MainWindow window(&controller);
    window.resize(1280, 820);
    window.show();
    controller.setUrl(QUrl(u"http://127.0.0.1:%1/stats"_s.arg(port)));
    controller.setInterval(1000ms);
    controller.poller()->setTimeout(60'000ms);
    int polls = 0;
    QObject::connect(controller.poller(), &StatsPoller::documentReceived, [&polls] { ++polls; });
    // The GUI thread's stalls: the longest gap between two ticks of a 5 ms timer.
    QElapsedTimer sinceTick;
    qint64 longestStall = 0;
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout,
                     [&] { longestStall = std::max(longestStall, sinceTick.restart()); });
    sinceTick.start();
    ticker.start(5ms);
    controller.start();
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        const int wanted = polls + 1;
        while (polls < wanted)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        QCoreApplication::sendPostedEvents();
        state.SetIterationTime(secondsSince(start));
    }
    state.counters["answer_MB"] = double(body.size()) / 1e6;
    state.counters["longest_stall_ms"] = double(longestStall);
    state.counters["peak_rss_MiB"] = peakResidentMiB();
    state.counters["peak_rss_before_polling_MiB"] = peakBefore;
    state.counters["stats_left_out"] = double(controller.statsLeftOut());
    state.counters["table_rows"] = double(controller.shownStats().size());
    controller.setPaused(true);
    server.requestInterruption();
    server.wait();
}
BENCHMARK(BM_LargeAnswer)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
    return runBenchmarks(argc, argv);
}

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// The original statvent's demo program, in Qt: a counter, a timestamp gauge and a window of
// samples, served through the process's pipe.

#include <statvent/statvent.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>

#include <csignal>

#include <sys/socket.h>
#include <unistd.h>

namespace {

int signalSocket[2];

void forwardSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto ignored = ::write(signalSocket[0], &byte, 1);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("statvent-example"));
    app.setApplicationVersion(QStringLiteral(STATVENT_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Statvent demo: updates a few statistics and serves them through a named pipe."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption intervalOption(
        QStringLiteral("interval"), QStringLiteral("Milliseconds between updates (default 100)."),
        QStringLiteral("ms"), QStringLiteral("100"));
    const QCommandLineOption pipeDirOption(
        QStringLiteral("pipe-dir"),
        QStringLiteral("Directory of the pipe (default $STATVENT_PIPE_DIR or /tmp/stats-pipe)."),
        QStringLiteral("dir"));
    parser.addOption(intervalOption);
    parser.addOption(pipeDirOption);
    parser.process(app);

    bool ok = false;
    const int interval = parser.value(intervalOption).toInt(&ok);
    if (!ok || interval < 1) {
        QTextStream(stderr)
            << "statvent-example: --interval needs a positive number of milliseconds, not \""
            << parser.value(intervalOption) << "\"\n";
        return 2;
    }
    if (parser.isSet(pipeDirOption))
        Statvent::setPipeDir(parser.value(pipeDirOption));

    // SIGINT/SIGTERM quit through the event loop, so the recorder removes its pipe on the way out.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalSocket) == 0) {
        auto *notifier = new QSocketNotifier(signalSocket[1], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, &QCoreApplication::quit);
        std::signal(SIGINT, forwardSignal);
        std::signal(SIGTERM, forwardSignal);
    }

    if (!Statvent::startRecorder())
        return 1;
    QTextStream out(stdout);
    out << "Stats pipe: " << Statvent::pipePath() << "\nTry 'cat " << Statvent::pipePath() << "'\n"
        << Qt::flush;

    const Statvent::Counter iterations = Statvent::counter("foo.bar");
    const Statvent::Gauge now = Statvent::gauge("foo :: now");
    const Statvent::SampleWindow samples = Statvent::sampleWindow("foo->baz->{0}");
    qint64 count = 0;
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, [&] {
        iterations.incr();
        now.set(QDateTime::currentMSecsSinceEpoch() / 1000.0);
        samples.record(QRandomGenerator::global()->bounded(5.0));
        if (++count % 50 == 0)
            out << "tick " << count << '\n' << Qt::flush;
    });
    timer.start(interval);
    return app.exec();
}

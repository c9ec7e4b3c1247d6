// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// ProcessInfo: liveness and start times from the kernel, for telling stale pipes from slow ones.

#include <statventweb/processinfo.h>

#include <QDateTime>
#include <QProcess>
#include <QTest>

#include <unistd.h>

using namespace StatventWeb;

namespace {

qint64 nowNs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1'000'000;
}

constexpr qint64 HourNs = qint64(3600) * 1'000'000'000;

} // namespace

class tst_ProcessInfo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exists();
    void startTime();
    void startedAfter();
    void userIds();
};

void tst_ProcessInfo::exists()
{
    QVERIFY(ProcessInfo::exists(QCoreApplication::applicationPid()));
    QVERIFY(ProcessInfo::exists(1)); // pid 1 exists even if it is not ours to signal
    QProcess process;
    process.start(QStringLiteral("/bin/true"));
    const qint64 pid = process.processId();
    QVERIFY(process.waitForFinished());
    QVERIFY(!ProcessInfo::exists(pid));
    QVERIFY(!ProcessInfo::exists(0));
    QVERIFY(!ProcessInfo::exists(-1));
}

void tst_ProcessInfo::startTime()
{
    const std::optional<qint64> ours = ProcessInfo::startTimeNs(QCoreApplication::applicationPid());
    QVERIFY(ours);
    // Up to a second early (btime is whole seconds), never late.
    QVERIFY(*ours <= nowNs());
    QVERIFY(*ours > nowNs() - HourNs);

    QTest::qWait(1100); // more than the start time's granularity
    QProcess child;
    child.start(QStringLiteral("/bin/sleep"), {QStringLiteral("10")});
    QVERIFY(child.waitForStarted());
    const std::optional<qint64> childStart = ProcessInfo::startTimeNs(child.processId());
    child.kill();
    child.waitForFinished();
    QVERIFY(childStart);
    QVERIFY(*childStart > *ours);
    QVERIFY(!ProcessInfo::startTimeNs(child.processId()));
}

void tst_ProcessInfo::startedAfter()
{
    const qint64 pid = QCoreApplication::applicationPid();
    // A pipe an hour older than this process: its pid was reused.
    QVERIFY(ProcessInfo::startedAfter(pid, nowNs() - HourNs));
    // A pipe made now, after this process started: its own.
    QVERIFY(!ProcessInfo::startedAfter(pid, nowNs()));
    // Within the second of slack: never called reuse.
    QVERIFY(!ProcessInfo::startedAfter(pid, *ProcessInfo::startTimeNs(pid) - 500'000'000));
    QVERIFY(!ProcessInfo::startedAfter(0, 0));
}

void tst_ProcessInfo::userIds()
{
    const std::optional<ProcessInfo::UserIds> ours =
        ProcessInfo::userIds(QCoreApplication::applicationPid());
    QVERIFY(ours);
    QCOMPARE(ours->real, ::getuid());
    QCOMPARE(ours->effective, ::geteuid());
    QVERIFY(ours->contains(::geteuid()));
    QVERIFY(!ours->contains(::geteuid() + 1));
    QProcess process;
    process.start(QStringLiteral("/bin/true"));
    const qint64 gone = process.processId();
    QVERIFY(process.waitForFinished());
    QVERIFY(!ProcessInfo::userIds(gone));
    QCOMPARE(ProcessInfo::directoryOwner(QCoreApplication::applicationPid()),
             std::optional<uid_t>(::geteuid()));
    QVERIFY(!ProcessInfo::directoryOwner(gone));
    if (::geteuid() != 0)
        return;
    // As root: a process of another user, started with setpriv.
    QProcess other;
    other.start(QStringLiteral("/usr/bin/setpriv"),
                {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                 QStringLiteral("--clear-groups"), QStringLiteral("/bin/sleep"),
                 QStringLiteral("10")});
    QVERIFY(other.waitForStarted());
    QTRY_COMPARE(ProcessInfo::userIds(other.processId()).value_or(ProcessInfo::UserIds{}).effective,
                 uid_t(65534));
    QVERIFY(!ProcessInfo::userIds(other.processId())->contains(0));
    QCOMPARE(ProcessInfo::directoryOwner(other.processId()), std::optional<uid_t>(65534));
    other.kill();
    other.waitForFinished();
}

QTEST_GUILESS_MAIN(tst_ProcessInfo)
#include "tst_processinfo.moc"

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// TerminationSignals: SIGINT and SIGTERM delivered as a Qt signal, dispositions restored after.

#include <statventweb/terminationsignals.h>

#include <QSignalSpy>
#include <QTest>

#include <csignal>

using namespace StatventWeb;

namespace {

volatile std::sig_atomic_t g_previousHandlerCalls = 0;

void previousHandler(int)
{
    g_previousHandlerCalls = g_previousHandlerCalls + 1;
}

} // namespace

class tst_TerminationSignals : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void deliversSignals_data();
    void deliversSignals();
    void restoresThePreviousHandler();
};

void tst_TerminationSignals::deliversSignals_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
}

void tst_TerminationSignals::deliversSignals()
{
    QFETCH(int, signalNumber);
    TerminationSignals termination;
    QSignalSpy spy(&termination, &TerminationSignals::received);
    QCOMPARE(::raise(signalNumber), 0);
    QTRY_COMPARE(spy.size(), 1);
    QCOMPARE(spy.first().first().toInt(), signalNumber);
    // Two at once are both seen.
    ::raise(signalNumber);
    ::raise(signalNumber);
    QTRY_COMPARE(spy.size(), 3);
}

void tst_TerminationSignals::restoresThePreviousHandler()
{
    std::signal(SIGTERM, previousHandler);
    {
        TerminationSignals termination;
        QSignalSpy spy(&termination, &TerminationSignals::received);
        ::raise(SIGTERM);
        QTRY_COMPARE(spy.size(), 1);
        QCOMPARE(int(g_previousHandlerCalls), 0);
    }
    ::raise(SIGTERM);
    QCOMPARE(int(g_previousHandlerCalls), 1);
    std::signal(SIGTERM, SIG_DFL);
}

QTEST_GUILESS_MAIN(tst_TerminationSignals)
#include "tst_terminationsignals.moc"

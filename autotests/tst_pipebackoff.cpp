// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// PipeBackoff: which sweeps leave out an entry that keeps missing the deadline.
// (tst_pipesweep checks the same with a real silent pipe.)

#include <statventweb/pipebackoff.h>

#include <QTest>

using namespace StatventWeb;

class tst_PipeBackoff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void missesDoubleTheSkippedSweepsUpToTheCap();
    void anAnswerForgets();
    void entriesNotSeenInASweepAreForgotten();
};

namespace {

//! One sweep that looks at \a key: whether it left it out; if not, it missed the deadline again.
bool sweepMissing(PipeBackoff &backoff, const PipeBackoff::Key &key)
{
    backoff.startSweep();
    int failures = 0;
    int skipsLeft = 0;
    const bool skipped = backoff.shouldSkip(key, &failures, &skipsLeft);
    if (!skipped)
        backoff.recordFailure(key);
    backoff.finishSweep();
    return skipped;
}

} // namespace

void tst_PipeBackoff::missesDoubleTheSkippedSweepsUpToTheCap()
{
    PipeBackoff backoff;
    const PipeBackoff::Key key{42, 1, 2};
    QList<int> skippedRuns; // how many sweeps in a row were left out between two tries
    int run = 0;
    for (int sweep = 0; sweep < 600; ++sweep) {
        if (sweepMissing(backoff, key)) {
            ++run;
        } else if (run > 0) {
            skippedRuns.append(run);
            run = 0;
        }
    }
    QCOMPARE(skippedRuns.mid(0, 9), (QList<int>{1, 2, 4, 8, 16, 32, 64, 64, 64}));
}

void tst_PipeBackoff::anAnswerForgets()
{
    PipeBackoff backoff;
    const PipeBackoff::Key key{42, 1, 2};
    for (int sweep = 0; sweep < PipeBackoff::FailuresBeforeBackingOff; ++sweep)
        QVERIFY(!sweepMissing(backoff, key));
    backoff.recordAnswer(key);
    QCOMPARE(backoff.size(), 0);
    QVERIFY(!sweepMissing(backoff, key)); // one miss after an answer: asked again next time
    QVERIFY(!sweepMissing(backoff, key));
}

void tst_PipeBackoff::entriesNotSeenInASweepAreForgotten()
{
    PipeBackoff backoff;
    for (int sweep = 0; sweep < PipeBackoff::FailuresBeforeBackingOff; ++sweep)
        sweepMissing(backoff, PipeBackoff::Key{42, 1, 2});
    QCOMPARE(backoff.size(), 1);
    // The FIFO was replaced (another inode): the old entry's file is gone.
    QVERIFY(!sweepMissing(backoff, PipeBackoff::Key{42, 1, 3}));
    QCOMPARE(backoff.size(), 1);
}

QTEST_GUILESS_MAIN(tst_PipeBackoff)
#include "tst_pipebackoff.moc"

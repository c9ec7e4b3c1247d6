// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_STATUSWORDING_H
#define STATVENTDASHBOARD_STATUSWORDING_H

#include <QString>

#include <chrono>

class QDateTime;
class QUrl;

namespace StatventDashboard {

/*!
 * The sentences in which the dashboard reports on the service (the status bar, and the note on
 * stats left out), built from plain values so that their wording is written and tested in one
 * place. DashboardController decides which one applies.
 */
class StatusWording
{
public:
    StatusWording() = delete;

    //! Below this, a service's clock and this one are taken to agree (a sweep is a little older
    //! than its answer, which statvent-web may share between requests).
    static constexpr std::chrono::seconds ClockSkewShown{5};

    //! A duration to three significant digits: `0.16 s`, `4 s`, `30 s`.
    static QString seconds(std::chrono::milliseconds duration);
    //! How far the service's clock is from this one, in the largest unit that keeps it readable:
    //! `12 s ahead of this clock`, `3 min behind this clock`, `1 h ...`, `2 days ...`.
    static QString clockSkew(double skewSeconds);
    //! "Last update HH:mm:ss" (the time of \a arrival), followed by \a sweepStamp (seconds since
    //! the epoch, the service's clock) when it is ClockSkewShown or more away from \a arrival;
    //! with its date when that is another day.
    static QString lastUpdate(const QDateTime &arrival, double sweepStamp);
    //! "1 process", "3 processes, 1 not answering"; "processes: not reported" for a negative
    //! \a processCount.
    static QString processSummary(int processCount, int unansweredCount);
    //! The sentence added to the view note when the service sent more than
    //! StatsDocument::MaxStats stats: how many were left out (\a perProcess: counted once per
    //! process).
    static QString statsLeftOut(qint64 leftOut, bool perProcess);
    //! The status after a failed poll: the reason and when the next try comes.
    static QString failing(const QString &reason, std::chrono::milliseconds retryIn);
    //! The detail after failed polls: how many in a row, of which request.
    static QString failingDetail(int consecutiveFailures, const QUrl &request);
    //! The status while a poll has gone on for \a age without a complete answer; \a reading
    //! when the answer has begun to arrive.
    static QString waiting(std::chrono::milliseconds age, bool reading);
    //! The detail while waiting: when the request is given up.
    static QString waitingDetail(const QUrl &request, std::chrono::milliseconds timeout);
};

} // namespace StatventDashboard

#endif

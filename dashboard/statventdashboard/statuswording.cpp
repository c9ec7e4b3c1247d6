// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/statuswording.h>

#include <statventdashboard/numberformat.h>
#include <statventdashboard/statsdocument.h>

#include <QDateTime>
#include <QUrl>

#include <cmath>

namespace StatventDashboard {

using namespace Qt::StringLiterals;
using std::chrono::milliseconds;

QString StatusWording::seconds(milliseconds duration)
{
    return QString::number(double(duration.count()) / 1000.0, 'g', 3) + u" s"_s;
}

QString StatusWording::clockSkew(double skewSeconds)
{
    const double size = std::abs(skewSeconds);
    const QString amount = size < 120 ? u"%1 s"_s.arg(qRound(size))
        : size < 7200                 ? u"%1 min"_s.arg(qRound(size / 60))
        : size < 172800               ? u"%1 h"_s.arg(qRound(size / 3600))
                                      : u"%1 days"_s.arg(qRound(size / 86400));
    return amount + (skewSeconds > 0 ? u" ahead of this clock"_s : u" behind this clock"_s);
}

QString StatusWording::lastUpdate(const QDateTime &arrival, double sweepStamp)
{
    QString text = u"Last update "_s + arrival.toString(u"HH:mm:ss"_s);
    const double skew = sweepStamp - double(arrival.toMSecsSinceEpoch()) / 1000.0;
    if (std::abs(skew) >= double(ClockSkewShown.count())) {
        const QDateTime stamp = QDateTime::fromMSecsSinceEpoch(qint64(sweepStamp * 1000));
        const QString format =
            stamp.date() == arrival.date() ? u"HH:mm:ss"_s : u"yyyy-MM-dd HH:mm:ss"_s;
        text += u", sweep stamped %1 by the service (%2)"_s.arg(stamp.toString(format),
                                                                clockSkew(skew));
    }
    return text;
}

QString StatusWording::processSummary(int processCount, int unansweredCount)
{
    QString text = processCount < 0 ? u"processes: not reported"_s
        : processCount == 1         ? u"1 process"_s
                                    : u"%1 processes"_s.arg(processCount);
    if (unansweredCount > 0)
        text += u", %1 not answering"_s.arg(unansweredCount);
    return text;
}

QString StatusWording::statsLeftOut(qint64 leftOut, bool perProcess)
{
    return u"The service sent more stats than the dashboard keeps (%1): %2 stats left out%3."_s.arg(
        NumberFormat::integer(StatsDocument::MaxStats), NumberFormat::integer(leftOut),
        perProcess ? u", counted once per process"_s : QString());
}

QString StatusWording::failing(const QString &reason, milliseconds retryIn)
{
    return reason + u" — retrying in "_s + seconds(retryIn);
}

QString StatusWording::failingDetail(int consecutiveFailures, const QUrl &request)
{
    return u"%1 failed polls in a row of %2"_s.arg(QString::number(consecutiveFailures),
                                                   request.toString());
}

QString StatusWording::waiting(milliseconds age, bool reading)
{
    const qint64 wholeSeconds = age.count() / 1000;
    return reading ? u"Reading the service's answer: %1 s so far"_s.arg(wholeSeconds)
                   : u"Waiting for the service: no complete answer for %1 s"_s.arg(wholeSeconds);
}

QString StatusWording::waitingDetail(const QUrl &request, milliseconds timeout)
{
    return u"%1 is given up %2 after it was sent"_s.arg(request.toString(), seconds(timeout));
}

} // namespace StatventDashboard

// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_STATSPOLLER_H
#define STATVENTDASHBOARD_STATSPOLLER_H

#include <statventdashboard/statsdocument.h>

#include <QObject>
#include <QUrl>

#include <chrono>
#include <memory>
#include <optional>

namespace StatventDashboard {

class StatsPollerPrivate;

/*!
 * Fetches statvent-web's per-process document with the windows' histograms
 * (`<url>?by=process&histograms=1`) over and over, without ever
 * blocking the event loop: answers are read (StatsDocument::parse()) on a worker thread, and
 * the thread of the poller only receives the checked document.
 *
 * One request at a time: the next one starts an interval after the previous one started, or
 * right away if it took longer. Every request has a deadline for the whole transfer (timeout():
 * a service that sends one byte a second never completes a poll, and is cut there) and a size
 * cap. A failure
 * (no answer, HTTP error, too big, not the expected JSON) doubles the wait before the next try,
 * up to maxBackoff(); the first success goes back to the normal interval.
 */
class StatsPoller : public QObject
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds DefaultInterval{1000};
    static constexpr std::chrono::milliseconds DefaultTimeout{5000};
    static constexpr std::chrono::milliseconds DefaultMaxBackoff{30000};
    //! Far above a host's worth of stats (100 processes x 1,000 stats is about 5 MB of JSON).
    static constexpr qint64 DefaultMaxResponseSize = 64 * 1024 * 1024;

    explicit StatsPoller(QObject *parent = nullptr);
    ~StatsPoller() override;

    //! The service's stats URL, e.g. `http://127.0.0.1:7828/stats`; takes effect at the next poll.
    QUrl url() const;
    void setUrl(const QUrl &url);
    //! The URL requested: \a url with `by=process` and, \a withHistograms, `histograms=1`
    //! added to its query.
    static QUrl requestUrl(const QUrl &url, bool withHistograms = true);
    /*!
     * True until the service refuses `histograms=1` with HTTP 400 (statvent-web before
     * histograms): the poller then asks again at once without it, and keeps doing so until
     * setUrl(). Such a refusal is not a failure.
     */
    bool asksForHistograms() const;

    std::chrono::milliseconds interval() const;
    void setInterval(std::chrono::milliseconds interval);
    std::chrono::milliseconds timeout() const;
    void setTimeout(std::chrono::milliseconds timeout);
    std::chrono::milliseconds maxBackoff() const;
    void setMaxBackoff(std::chrono::milliseconds maxBackoff);
    qint64 maxResponseSize() const;
    void setMaxResponseSize(qint64 bytes);

    bool isRunning() const;
    //! How long the poll in flight (request, then reading its answer) has been going, or
    //! nothing when none is.
    std::optional<std::chrono::milliseconds> requestAge() const;
    //! True while a complete answer is being read on the worker thread.
    bool isReadingAnswer() const;
    //! Failures since the last success.
    int consecutiveFailures() const;
    //! The wait before the next poll after \a failures consecutive failures.
    std::chrono::milliseconds delayAfter(int failures) const;

public Q_SLOTS:
    //! Polls now, then keeps polling. Does nothing if already running.
    void start();
    //! Stops polling and abandons a request in flight (its answer is never reported).
    void stop();

Q_SIGNALS:
    //! The whole answer (\a bytes long) is in; it is now read on a worker thread.
    void answerReceived(qint64 bytes);
    void documentReceived(const StatsDocument &document);
    //! \a reason is one line for the status bar; the next try comes in \a retryIn.
    void pollFailed(const QString &reason, std::chrono::milliseconds retryIn);
    void runningChanged(bool running);

private:
    std::unique_ptr<StatsPollerPrivate> d;
};

} // namespace StatventDashboard

#endif

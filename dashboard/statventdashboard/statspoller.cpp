// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/statspoller.h>

#include <statventdashboard/dashboardlogging.h>

#include <QByteArrayList>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>
#include <QUrlQuery>
#include <QtConcurrentRun>

#include <algorithm>
#include <utility>

namespace StatventDashboard {

using namespace Qt::StringLiterals;
using std::chrono::milliseconds;

namespace {

// Enough of an error body to show the service's own message, not enough to flood the status bar.
constexpr qsizetype MaxMessageLength = 160;

QString seconds(milliseconds duration)
{
    return QString::number(double(duration.count()) / 1000.0, 'g', 3) + u" s"_s;
}

QString httpError(QNetworkReply *reply, const QByteArray &body)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString phrase = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    QString reason = u"HTTP "_s + QString::number(status);
    if (!phrase.isEmpty())
        reason += u' ' + phrase;
    // statvent-web explains its errors in {"message": ...}; show it when there is one.
    const QString message =
        QJsonDocument::fromJson(body.left(64 * 1024)).object().value("message"_L1).toString();
    if (!message.isEmpty())
        reason += u": "_s + message.left(MaxMessageLength);
    return reason;
}

struct ParsedAnswer
{
    StatsDocument document;
    QString error;
};

} // namespace

class StatsPollerPrivate
{
public:
    explicit StatsPollerPrivate(StatsPoller *poller)
        : q(poller)
    {
        timer.setSingleShot(true);
        QObject::connect(&timer, &QTimer::timeout, q, [this] { poll(); });
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, q, [this] {
            deadlinePassed = true;
            if (reply)
                reply->abort();
        });
    }

    void poll();
    void finish(QNetworkReply *finished);
    void readAnswer(QByteArrayList answer);
    void conclude(const StatsDocument &document, const QString &reason);
    void abandonRequest();
    QString failureReason(QNetworkReply *finished, const QByteArray &answer) const;
    QString lateReason() const;

    StatsPoller *q;
    QNetworkAccessManager network;
    QTimer timer;
    // QNetworkRequest's transfer timeout only measures inactivity: a trickle of bytes resets it.
    QTimer deadline;
    QUrl url;
    milliseconds interval = StatsPoller::DefaultInterval;
    milliseconds timeout = StatsPoller::DefaultTimeout;
    milliseconds maxBackoff = StatsPoller::DefaultMaxBackoff;
    qint64 maxResponseSize = StatsPoller::DefaultMaxResponseSize;
    QPointer<QNetworkReply> reply;
    QFutureWatcher<ParsedAnswer> *reading = nullptr; // the answer being read on a worker thread
    QElapsedTimer sinceRequest;
    QString tooBig; // set when the poller itself cut an oversized answer
    bool deadlinePassed = false;
    // The answer so far, in the pieces the reply handed over (shared, not copied): they are
    // joined on the worker thread, so that a large answer is never copied on this one.
    QByteArrayList body;
    qint64 bytesReceived = 0;
    bool running = false;
    int failures = 0;
    // Cleared when the service refuses the histograms item, as versions before it do (HTTP 400).
    bool askHistograms = true;
};

void StatsPollerPrivate::poll()
{
    QNetworkRequest request(StatsPoller::requestUrl(url, askHistograms));
    request.setRawHeader("Accept", "application/json");
    tooBig.clear();
    deadlinePassed = false;
    bytesReceived = 0;
    sinceRequest.start();
    reply = network.get(request);
    deadline.start(timeout);
    QObject::connect(reply, &QNetworkReply::downloadProgress, q,
                     [this](qint64 received, qint64 total) {
                         bytesReceived = received;
                         // total is the announced Content-Length (-1 if none): refuse before reading when it says too much.
                         if (std::max(received, total) > maxResponseSize && tooBig.isEmpty()) {
                             tooBig = u"the answer is larger than "_s
                                 + QString::number(maxResponseSize) + u" bytes"_s;
                             reply->abort();
                         }
                     });
    QObject::connect(reply, &QNetworkReply::readyRead, q, [this, sent = reply.data()] {
        if (tooBig.isEmpty())
            body.append(sent->readAll());
    });
    QObject::connect(reply, &QNetworkReply::finished, q,
                     [this, sent = reply.data()] { finish(sent); });
}

QString StatsPollerPrivate::lateReason() const
{
    const QString reason = u"no complete answer within "_s + seconds(timeout);
    return bytesReceived > 0 ? reason + u" (%1 bytes of it in)"_s.arg(bytesReceived) : reason;
}

QString StatsPollerPrivate::failureReason(QNetworkReply *finished, const QByteArray &answer) const
{
    if (finished->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid())
        return httpError(finished, answer);
    return finished->errorString();
}

void StatsPollerPrivate::finish(QNetworkReply *finished)
{
    finished->deleteLater();
    if (finished != reply)
        return;
    reply = nullptr;
    deadline.stop();
    QByteArrayList answer = std::exchange(body, QByteArrayList());

    if (!tooBig.isEmpty()) {
        // Checked first: on loopback the whole answer may be in before abort() takes effect.
        conclude({}, tooBig);
    } else if (deadlinePassed) {
        conclude({}, lateReason());
    } else {
        answer.append(finished->readAll());
        const int status = finished->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 400 && askHistograms) {
            // A service that predates histograms refuses the item it does not know: ask it
            // again without, right away; the dashboard then does without histograms.
            qCInfo(lcDashboard).noquote()
                << u"the service refuses ?histograms=1 (%1): polling without the windows' "
                   u"histograms"_s.arg(failureReason(finished, answer.join()));
            askHistograms = false;
            poll();
        } else if (finished->error() == QNetworkReply::NoError)
            readAnswer(std::move(answer));
        else
            conclude({}, failureReason(finished, answer.join()));
    }
}

void StatsPollerPrivate::readAnswer(QByteArrayList answer)
{
    // Tens of megabytes take seconds to read: on the GUI thread that would freeze the window.
    auto *watcher = new QFutureWatcher<ParsedAnswer>(q);
    reading = watcher;
    QObject::connect(watcher, &QFutureWatcherBase::finished, q, [this, watcher] {
        watcher->deleteLater();
        if (watcher != reading)
            return;
        reading = nullptr;
        const ParsedAnswer parsed = watcher->result();
        conclude(parsed.document,
                 parsed.document.isValid() ? QString() : u"unusable answer: "_s + parsed.error);
    });
    qint64 bytes = 0;
    for (const QByteArray &piece : std::as_const(answer))
        bytes += piece.size();
    watcher->setFuture(QtConcurrent::run([pieces = std::move(answer)]() mutable {
        const QByteArray json = pieces.size() == 1 ? pieces.constFirst() : pieces.join();
        pieces.clear(); // only one copy of the answer while it is read
        ParsedAnswer parsed;
        parsed.document = StatsDocument::parse(json, &parsed.error);
        return parsed;
    }));
    Q_EMIT q->answerReceived(bytes);
}

void StatsPollerPrivate::conclude(const StatsDocument &document, const QString &reason)
{
    // Schedule before telling anyone, so that a receiver calling stop() really stops.
    if (document.isValid()) {
        failures = 0;
        const auto elapsed = milliseconds(sinceRequest.elapsed());
        timer.start(std::max(milliseconds(0), interval - elapsed));
        Q_EMIT q->documentReceived(document);
    } else {
        const milliseconds retryIn = q->delayAfter(++failures);
        timer.start(retryIn);
        Q_EMIT q->pollFailed(reason, retryIn);
    }
}

void StatsPollerPrivate::abandonRequest()
{
    if (reading) {
        // The worker finishes on its own; nobody hears of its result.
        reading->disconnect(q);
        reading->deleteLater();
        reading = nullptr;
    }
    if (!reply)
        return;
    QNetworkReply *abandoned = reply;
    reply = nullptr;
    deadline.stop();
    body.clear();
    abandoned->disconnect(q);
    abandoned->abort();
    abandoned->deleteLater();
}

StatsPoller::StatsPoller(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<StatsPollerPrivate>(this))
{
}

StatsPoller::~StatsPoller()
{
    d->abandonRequest();
}

QUrl StatsPoller::url() const
{
    return d->url;
}

void StatsPoller::setUrl(const QUrl &url)
{
    d->url = url;
    d->askHistograms = true;
}

bool StatsPoller::asksForHistograms() const
{
    return d->askHistograms;
}

QUrl StatsPoller::requestUrl(const QUrl &url, bool withHistograms)
{
    QUrl request = url;
    QUrlQuery query(url);
    query.removeAllQueryItems(u"by"_s);
    query.removeAllQueryItems(u"histograms"_s);
    query.addQueryItem(u"by"_s, u"process"_s);
    // The windows' histograms: what the summed view's true percentiles and the distribution
    // view are computed from.
    if (withHistograms)
        query.addQueryItem(u"histograms"_s, u"1"_s);
    request.setQuery(query);
    return request;
}

milliseconds StatsPoller::interval() const
{
    return d->interval;
}

void StatsPoller::setInterval(milliseconds interval)
{
    d->interval = std::max(milliseconds(1), interval);
}

milliseconds StatsPoller::timeout() const
{
    return d->timeout;
}

void StatsPoller::setTimeout(milliseconds timeout)
{
    d->timeout = std::max(milliseconds(1), timeout);
}

milliseconds StatsPoller::maxBackoff() const
{
    return d->maxBackoff;
}

void StatsPoller::setMaxBackoff(milliseconds maxBackoff)
{
    d->maxBackoff = maxBackoff;
}

qint64 StatsPoller::maxResponseSize() const
{
    return d->maxResponseSize;
}

void StatsPoller::setMaxResponseSize(qint64 bytes)
{
    d->maxResponseSize = std::max<qint64>(1, bytes);
}

bool StatsPoller::isRunning() const
{
    return d->running;
}

std::optional<milliseconds> StatsPoller::requestAge() const
{
    if (!d->reply && !d->reading)
        return std::nullopt;
    return milliseconds(d->sinceRequest.elapsed());
}

bool StatsPoller::isReadingAnswer() const
{
    return d->reading != nullptr;
}

int StatsPoller::consecutiveFailures() const
{
    return d->failures;
}

milliseconds StatsPoller::delayAfter(int failures) const
{
    if (failures <= 0)
        return d->interval;
    // interval x 2^failures, capped; the shift is bounded so that it cannot overflow.
    const milliseconds doubled = d->interval * (qint64(1) << std::min(failures, 20));
    return std::max(d->interval, std::min(doubled, d->maxBackoff));
}

void StatsPoller::start()
{
    if (d->running)
        return;
    d->running = true;
    d->failures = 0;
    d->poll();
    Q_EMIT runningChanged(true);
}

void StatsPoller::stop()
{
    if (!d->running)
        return;
    d->running = false;
    d->timer.stop();
    d->abandonRequest();
    Q_EMIT runningChanged(false);
}

} // namespace StatventDashboard

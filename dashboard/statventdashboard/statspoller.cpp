// SPDX-License-Identifier: MIT
#include <statventdashboard/statspoller.h>

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>

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

QString httpError(QNetworkReply *reply)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString phrase = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    QString reason = u"HTTP "_s + QString::number(status);
    if (!phrase.isEmpty())
        reason += u' ' + phrase;
    // statvent-web explains its errors in {"message": ...}; show it when there is one.
    const QString message = QJsonDocument::fromJson(reply->read(64 * 1024)).object().value("message"_L1).toString();
    if (!message.isEmpty())
        reason += u": "_s + message.left(MaxMessageLength);
    return reason;
}

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
    void abandonRequest();
    QString failureReason(QNetworkReply *finished) const;
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
    QElapsedTimer sinceRequest;
    QString tooBig; // set when the poller itself cut an oversized answer
    bool deadlinePassed = false;
    qint64 bytesReceived = 0;
    bool running = false;
    int failures = 0;
};

void StatsPollerPrivate::poll()
{
    QNetworkRequest request(StatsPoller::requestUrl(url));
    request.setRawHeader("Accept", "application/json");
    tooBig.clear();
    deadlinePassed = false;
    bytesReceived = 0;
    sinceRequest.start();
    reply = network.get(request);
    deadline.start(timeout);
    QObject::connect(reply, &QNetworkReply::downloadProgress, q, [this](qint64 received, qint64 total) {
        bytesReceived = received;
        // total is the announced Content-Length (-1 if none): refuse before reading when it says too much.
        if (std::max(received, total) > maxResponseSize && tooBig.isEmpty()) {
            tooBig = u"the answer is larger than "_s + QString::number(maxResponseSize) + u" bytes"_s;
            reply->abort();
        }
    });
    QObject::connect(reply, &QNetworkReply::finished, q, [this, sent = reply.data()] { finish(sent); });
}

QString StatsPollerPrivate::lateReason() const
{
    const QString reason = u"no complete answer within "_s + seconds(timeout);
    return bytesReceived > 0 ? reason + u" (%1 bytes of it in)"_s.arg(bytesReceived) : reason;
}

QString StatsPollerPrivate::failureReason(QNetworkReply *finished) const
{
    if (finished->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid())
        return httpError(finished);
    return finished->errorString();
}

void StatsPollerPrivate::finish(QNetworkReply *finished)
{
    finished->deleteLater();
    if (finished != reply)
        return;
    reply = nullptr;
    deadline.stop();

    QString reason;
    StatsDocument document;
    if (!tooBig.isEmpty()) {
        // Checked first: on loopback the whole answer may be in before abort() takes effect.
        reason = tooBig;
    } else if (deadlinePassed) {
        reason = lateReason();
    } else if (finished->error() == QNetworkReply::NoError) {
        document = StatsDocument::parse(finished->readAll(), &reason);
        if (!document.isValid())
            reason = u"unusable answer: "_s + reason;
    } else {
        reason = failureReason(finished);
    }

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
    if (!reply)
        return;
    QNetworkReply *abandoned = reply;
    reply = nullptr;
    deadline.stop();
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
}

QUrl StatsPoller::requestUrl(const QUrl &url)
{
    QUrl request = url;
    QUrlQuery query(url);
    query.removeAllQueryItems(u"by"_s);
    query.addQueryItem(u"by"_s, u"process"_s);
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
    if (!d->reply)
        return std::nullopt;
    return milliseconds(d->sinceRequest.elapsed());
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

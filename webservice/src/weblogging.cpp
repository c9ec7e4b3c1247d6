// SPDX-License-Identifier: MIT
#include "weblogging.h"

Q_LOGGING_CATEGORY(lcStatventWeb, "statvent.web", QtInfoMsg)

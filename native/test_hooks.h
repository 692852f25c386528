// The addon's test and benchmark hooks (native/test_hooks.cc).
#pragma once

#include <napi.h>

namespace traceloop {

void init_test_hooks(Napi::Env env, Napi::Object exports);

} // namespace traceloop

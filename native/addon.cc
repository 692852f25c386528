// JavaScript bindings. The shapes here are typed in src/native.ts; keep the
// two in step.
#include <cstddef>
#include <napi.h>
#include <sys/utsname.h>

#include <bpf/libbpf.h>

extern "C" {
#include "../bpf/traceloop.h"
}

#include "merge.h"
#include "recorder.h"
#include "ring_reader.h"

namespace traceloop {
namespace {

// Runs `fn`, turning C++ failures into JS errors with the same one line.
template <typename F> auto guarded(const Napi::Env &env, F fn) -> decltype(fn())
{
	try {
		return fn();
	} catch (const std::exception &e) {
		throw Napi::Error::New(env, e.what());
	}
}

uint64_t cgroup_id_arg(const Napi::CallbackInfo &info)
{
	bool lossless = false;
	if (info.Length() < 1 || !info[0].IsBigInt())
		throw Napi::TypeError::New(info.Env(), "expected a cgroup id (bigint)");
	return info[0].As<Napi::BigInt>().Uint64Value(&lossless);
}

Napi::Array cpu_stats(Napi::Env env, const std::vector<CpuStats> &cpus)
{
	Napi::Array arr = Napi::Array::New(env, cpus.size());
	for (size_t i = 0; i < cpus.size(); i++) {
		const CpuStats &s = cpus[i];
		Napi::Object o = Napi::Object::New(env);
		o.Set("cpu", s.cpu);
		// Records the BPF side tried to write: the ones it numbered plus
		// the ones it could not write. emitted = delivered + lost once
		// everything has been read.
		o.Set("emitted", static_cast<double>(s.counters.emitted + s.counters.failed));
		o.Set("failed", static_cast<double>(s.counters.failed));
		o.Set("faults", static_cast<double>(s.counters.faults));
		o.Set("headBytes", static_cast<double>(s.counters.head));
		o.Set("delivered", static_cast<double>(s.delivered));
		o.Set("lost", static_cast<double>(s.lost));
		arr.Set(i, o);
	}
	return arr;
}

Napi::Object read_result(Napi::Env env, const ReadOut &r)
{
	Napi::Object o = Napi::Object::New(env);
	o.Set("records", Napi::Buffer<uint8_t>::Copy(env, r.records.data(), r.records.size()));
	o.Set("cpus", cpu_stats(env, r.cpus));
	return o;
}

class RecorderWrap : public Napi::ObjectWrap<RecorderWrap> {
public:
	static Napi::Function Define(Napi::Env env)
	{
		return DefineClass(env, "Recorder",
				   {
				       InstanceMethod("addCgroup", &RecorderWrap::AddCgroup),
				       InstanceMethod("removeCgroup", &RecorderWrap::RemoveCgroup),
				       InstanceMethod("snapshot", &RecorderWrap::Snapshot),
				       InstanceMethod("poll", &RecorderWrap::Poll),
				       InstanceMethod("stats", &RecorderWrap::Stats),
				       InstanceMethod("close", &RecorderWrap::Close),
				   });
	}

	explicit RecorderWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<RecorderWrap>(info)
	{
		Napi::Env env = info.Env();
		if (info.Length() < 1 || !info[0].IsObject())
			throw Napi::TypeError::New(env, "expected options");
		Napi::Object o = info[0].As<Napi::Object>();
		RecorderConfig cfg;
		cfg.ring_bytes =
		    static_cast<uint64_t>(o.Get("ringBytes").As<Napi::Number>().Int64Value());
		cfg.max_capture = static_cast<uint32_t>(
		    o.Get("maxCaptureBytes").As<Napi::Number>().Uint32Value());
		Napi::Value rules = o.Get("rules");
		if (!rules.IsBuffer())
			throw Napi::TypeError::New(env, "options.rules must be a Buffer");
		auto buf = rules.As<Napi::Buffer<uint8_t>>();
		cfg.rules.assign(buf.Data(), buf.Data() + buf.Length());
		guarded(env, [&] {
			rec_ = std::make_unique<Recorder>(cfg);
			return 0;
		});
	}

private:
	Recorder &rec(Napi::Env env)
	{
		if (!rec_)
			throw Napi::Error::New(env, "the recorder is closed");
		return *rec_;
	}

	Napi::Value AddCgroup(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		if (info.Length() < 1 || !info[0].IsString())
			throw Napi::TypeError::New(env, "expected a cgroup path");
		std::string path = info[0].As<Napi::String>();
		uint64_t id = guarded(env, [&] { return rec(env).add_cgroup(path); });
		return Napi::BigInt::New(env, id);
	}

	Napi::Value RemoveCgroup(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		guarded(env, [&] {
			rec(env).remove_cgroup(id);
			return 0;
		});
		return env.Undefined();
	}

	Napi::Value Snapshot(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		return read_result(env, guarded(env, [&] { return rec(env).snapshot(id); }));
	}

	Napi::Value Poll(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		return read_result(env, guarded(env, [&] { return rec(env).poll(id); }));
	}

	Napi::Value Stats(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		return cpu_stats(env, guarded(env, [&] { return rec(env).stats(id); }));
	}

	Napi::Value Close(const Napi::CallbackInfo &info)
	{
		rec_.reset(); // the destructor detaches and frees everything
		return info.Env().Undefined();
	}

	std::unique_ptr<Recorder> rec_;
};

Napi::Value Versions(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	Napi::Object o = Napi::Object::New(env);
#ifdef TL_LIBBPF_VERSION
	o.Set("libbpf", TL_LIBBPF_VERSION); // the vendored release, e.g. 1.1.2
#else
	o.Set("libbpf", libbpf_version_string());
#endif
	struct utsname u;
	o.Set("kernel", uname(&u) == 0 ? u.release : "unknown");
	return o;
}

#define LAYOUT_SIZE(o, T) o.Set("sizeof(struct " #T ")", static_cast<double>(sizeof(struct T)))
#define LAYOUT_FIELD(o, T, f) o.Set(#T "." #f, static_cast<double>(offsetof(struct T, f)))

Napi::Value Layout(const Napi::CallbackInfo &info)
{
	Napi::Object o = Napi::Object::New(info.Env());
	LAYOUT_SIZE(o, tl_hdr);
	LAYOUT_FIELD(o, tl_hdr, size);
	LAYOUT_FIELD(o, tl_hdr, type);
	LAYOUT_FIELD(o, tl_hdr, flags);
	LAYOUT_FIELD(o, tl_hdr, tid);
	LAYOUT_SIZE(o, tl_event);
	LAYOUT_FIELD(o, tl_event, seq);
	LAYOUT_FIELD(o, tl_event, cpu);
	LAYOUT_FIELD(o, tl_event, nr);
	LAYOUT_FIELD(o, tl_event, ts);
	LAYOUT_SIZE(o, tl_enter);
	LAYOUT_FIELD(o, tl_enter, pid);
	LAYOUT_FIELD(o, tl_enter, nargs);
	LAYOUT_FIELD(o, tl_enter, nparams);
	LAYOUT_FIELD(o, tl_enter, comm);
	LAYOUT_FIELD(o, tl_enter, args);
	LAYOUT_SIZE(o, tl_exit);
	LAYOUT_FIELD(o, tl_exit, ret);
	LAYOUT_FIELD(o, tl_exit, pid);
	LAYOUT_FIELD(o, tl_exit, nparams);
	LAYOUT_SIZE(o, tl_param);
	LAYOUT_FIELD(o, tl_param, arg);
	LAYOUT_FIELD(o, tl_param, status);
	LAYOUT_FIELD(o, tl_param, len);
	LAYOUT_FIELD(o, tl_param, want);
	LAYOUT_SIZE(o, tl_lost);
	LAYOUT_FIELD(o, tl_lost, cpu);
	LAYOUT_FIELD(o, tl_lost, count);
	LAYOUT_FIELD(o, tl_lost, ts_from);
	LAYOUT_FIELD(o, tl_lost, ts_to);
	LAYOUT_SIZE(o, tl_ring_ctrl);
	LAYOUT_FIELD(o, tl_ring_ctrl, head);
	LAYOUT_FIELD(o, tl_ring_ctrl, emitted);
	LAYOUT_FIELD(o, tl_ring_ctrl, failed);
	LAYOUT_FIELD(o, tl_ring_ctrl, faults);
	LAYOUT_FIELD(o, tl_ring_ctrl, busy);
	LAYOUT_FIELD(o, tl_ring_ctrl, published);
	LAYOUT_FIELD(o, tl_ring_ctrl, last_ts);
	LAYOUT_FIELD(o, tl_ring_ctrl, page_start);
	LAYOUT_SIZE(o, tl_capture);
	LAYOUT_FIELD(o, tl_capture, kind);
	LAYOUT_FIELD(o, tl_capture, arg);
	LAYOUT_FIELD(o, tl_capture, len_arg);
	LAYOUT_FIELD(o, tl_capture, size);
	LAYOUT_SIZE(o, tl_rule);
	LAYOUT_FIELD(o, tl_rule, nargs);
	LAYOUT_FIELD(o, tl_rule, cap);
	return o;
}

uint64_t u64_field(Napi::Object o, const char *key)
{
	bool lossless = false;
	Napi::Value v = o.Get(key);
	return v.IsBigInt() ? v.As<Napi::BigInt>().Uint64Value(&lossless) : 0;
}

// readRing(element, ringBytes, inflightBytes, cpu, state|null): the very
// reader poll() uses, on a synthetic element, for unit tests.
Napi::Value ReadRing(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	if (info.Length() < 5 || !info[0].IsBuffer())
		throw Napi::TypeError::New(
		    env, "readRing(element, ringBytes, inflightBytes, cpu, state)");
	auto element = info[0].As<Napi::Buffer<uint8_t>>();
	RingGeometry geo;
	geo.ring_bytes = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
	geo.ctrl_bytes = ctrl_bytes_for(geo.ring_bytes);
	geo.inflight_bytes = static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value());
	const uint32_t cpu = info[3].As<Napi::Number>().Uint32Value();
	if (element.Length() < geo.ctrl_bytes + geo.ring_bytes)
		throw Napi::RangeError::New(env, "element is smaller than control block + ring");

	RingState state;
	if (info[4].IsObject()) {
		Napi::Object s = info[4].As<Napi::Object>();
		state.pos = u64_field(s, "pos");
		state.next_seq = u64_field(s, "nextSeq");
		state.last_ts = u64_field(s, "lastTs");
		state.failed_seen = u64_field(s, "failedSeen");
		state.delivered = s.Get("delivered").As<Napi::Number>().Int64Value();
		state.lost = s.Get("lost").As<Napi::Number>().Int64Value();
	}
	CpuBatch batch;
	batch.cpu = cpu;
	read_ring(element.Data(), geo, cpu, state, batch);
	std::vector<uint8_t> merged;
	merge_batches({batch}, merged);

	Napi::Object s = Napi::Object::New(env);
	s.Set("pos", Napi::BigInt::New(env, state.pos));
	s.Set("nextSeq", Napi::BigInt::New(env, state.next_seq));
	s.Set("lastTs", Napi::BigInt::New(env, state.last_ts));
	s.Set("failedSeen", Napi::BigInt::New(env, state.failed_seen));
	s.Set("delivered", static_cast<double>(state.delivered));
	s.Set("lost", static_cast<double>(state.lost));
	Napi::Object o = Napi::Object::New(env);
	o.Set("records", Napi::Buffer<uint8_t>::Copy(env, merged.data(), merged.size()));
	o.Set("state", s);
	return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports)
{
	exports.Set("Recorder", RecorderWrap::Define(env));
	exports.Set("versions", Napi::Function::New(env, Versions));
	exports.Set("layout", Napi::Function::New(env, Layout));
	exports.Set("readRing", Napi::Function::New(env, ReadRing));
	return exports;
}

} // namespace
} // namespace traceloop

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports)
{
	return traceloop::Init(env, exports);
}

NODE_API_MODULE(NODE_GYP_MODULE_NAME, InitAddon)

// JavaScript bindings. The shapes here are typed in src/native.ts; keep the
// two in step.
#include <cstddef>
#include <napi.h>
#include <sys/utsname.h>

#include <bpf/libbpf.h>

extern "C" {
#include "../bpf/traceloop.h"
}

#include "loss_ledger.h"
#include "outbox.h"
#include "recorder.h"
#include "test_hooks.h"

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

// A batch handed to JS without a copy: the Buffer owns the vector and frees
// it when collected. A copy doubled what a stalled JS thread held at the
// moment it caught up (the whole outbox, twice).
Napi::Buffer<uint8_t> handed_over(Napi::Env env, std::vector<uint8_t> &&bytes)
{
	if (bytes.empty())
		return Napi::Buffer<uint8_t>::New(env, 0);
	auto *owned = new std::vector<uint8_t>(std::move(bytes));
	return Napi::Buffer<uint8_t>::New(
	    env, owned->data(), owned->size(),
	    [](Napi::Env, uint8_t *, std::vector<uint8_t> *v) { delete v; }, owned);
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

// [{cpu, counts: [crash, exit, errno], last, seq}]: see TriggerNotes.
Napi::Array trigger_notes(Napi::Env env, const std::vector<TriggerNotes> &cpus)
{
	Napi::Array arr = Napi::Array::New(env, cpus.size());
	for (size_t i = 0; i < cpus.size(); i++) {
		const TriggerNotes &n = cpus[i];
		Napi::Object o = Napi::Object::New(env);
		o.Set("cpu", n.cpu);
		Napi::Array counts = Napi::Array::New(env, TL_TRIG_KINDS);
		for (uint32_t k = 0; k < TL_TRIG_KINDS; k++)
			counts.Set(k, n.count[k]);
		o.Set("counts", counts);
		o.Set("last", n.last);
		o.Set("seq", n.seq);
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
		return DefineClass(
		    env, "Recorder",
		    {
			InstanceMethod("addCgroup", &RecorderWrap::AddCgroup),
			InstanceMethod("removeCgroup", &RecorderWrap::RemoveCgroup),
			InstanceMethod("snapshot", &RecorderWrap::Snapshot),
			InstanceMethod("poll", &RecorderWrap::Poll),
			InstanceMethod("stats", &RecorderWrap::Stats),
			InstanceMethod("triggers", &RecorderWrap::Triggers),
			InstanceMethod("setTriggerErrnos", &RecorderWrap::SetTriggerErrnos),
			InstanceMethod("close", &RecorderWrap::Close),
			InstanceMethod("startDrain", &RecorderWrap::StartDrain),
			InstanceMethod("watch", &RecorderWrap::Watch),
			InstanceMethod("unwatch", &RecorderWrap::Unwatch),
			InstanceMethod("notShown", &RecorderWrap::NotShown),
			InstanceMethod("loadReport", &RecorderWrap::LoadReport),
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
		cfg.floor_only = o.Get("floorOnly").ToBoolean().Value();
		if (o.Get("benchSkip").IsNumber())
			cfg.bench_skip = o.Get("benchSkip").As<Napi::Number>().Uint32Value();
		if (o.Get("families").IsNumber())
			cfg.families = o.Get("families").As<Napi::Number>().Uint32Value();
		Napi::Value rules = o.Get("rules");
		if (!rules.IsBuffer())
			throw Napi::TypeError::New(env, "options.rules must be a Buffer");
		auto buf = rules.As<Napi::Buffer<uint8_t>>();
		cfg.rules.assign(buf.Data(), buf.Data() + buf.Length());
		Napi::Value keyed = o.Get("keyedRules");
		if (!keyed.IsUndefined()) {
			if (!keyed.IsBuffer())
				throw Napi::TypeError::New(env,
							   "options.keyedRules must be a Buffer");
			auto kb = keyed.As<Napi::Buffer<uint8_t>>();
			cfg.keyed_rules.assign(kb.Data(), kb.Data() + kb.Length());
		}
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
		if (outbox_)
			outbox_->forget(id);
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

	Napi::Value Triggers(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		return trigger_notes(env, guarded(env, [&] { return rec(env).triggers(id); }));
	}

	// One argument: an array of errno numbers (1..TL_TRIG_ERRNO_BITS-1).
	Napi::Value SetTriggerErrnos(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		if (info.Length() < 1 || !info[0].IsArray())
			throw Napi::TypeError::New(env, "expected an array of errno numbers");
		Napi::Array list = info[0].As<Napi::Array>();
		std::vector<uint64_t> bits(TL_TRIG_ERRNO_BITS / 64, 0);
		for (uint32_t i = 0; i < list.Length(); i++) {
			Napi::Value v = list.Get(i);
			uint32_t e = v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : 0;
			if (e == 0 || e >= TL_TRIG_ERRNO_BITS)
				throw Napi::RangeError::New(
				    env, "an errno must be 1.." +
					     std::to_string(TL_TRIG_ERRNO_BITS - 1));
			bits[e / 64] |= uint64_t(1) << (e % 64);
		}
		guarded(env, [&] {
			rec(env).set_trigger_errnos(bits);
			return 0;
		});
		return env.Undefined();
	}

	Napi::Value Close(const Napi::CallbackInfo &info)
	{
		rec_.reset(); // the destructor stops the drain, detaches, frees
		if (tsfn_) {
			tsfn_.Release();
			tsfn_ = Napi::ThreadSafeFunction();
		}
		return info.Env().Undefined();
	}

	// startDrain({periodMs, slackMs, maxQueueBytes}, onBatch(id, records))
	Napi::Value StartDrain(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction())
			throw Napi::TypeError::New(env, "startDrain(options, onBatch)");
		Napi::Object o = info[0].As<Napi::Object>();
		DrainConfig cfg;
		cfg.period_ns =
		    static_cast<uint64_t>(o.Get("periodMs").As<Napi::Number>().DoubleValue() * 1e6);
		cfg.slack_ns =
		    static_cast<uint64_t>(o.Get("slackMs").As<Napi::Number>().DoubleValue() * 1e6);
		const auto max_bytes =
		    static_cast<size_t>(o.Get("maxQueueBytes").As<Napi::Number>().DoubleValue());
		if (tsfn_)
			throw Napi::Error::New(env, "the drain is already running");
		outbox_ = std::make_shared<Outbox>(max_bytes);
		on_batch_ = Napi::Persistent(info[1].As<Napi::Function>());
		// The callback runs on the JS thread; it empties the outbox.
		tsfn_ = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(),
						      "traceloop-drain", 0, 1);
		tsfn_.Unref(env); // the drain alone does not keep the process alive
		auto outbox = outbox_;
		auto tsfn = tsfn_;
		guarded(env, [&] {
			rec(env).start_drain(cfg, [outbox, tsfn](uint64_t id,
								 std::vector<uint8_t> &&r) mutable {
				if (outbox->push(id, std::move(r)))
					tsfn.NonBlockingCall([outbox](Napi::Env env,
								      Napi::Function cb) {
						for (auto &[id, bytes] : outbox->take())
							cb.Call(
							    {Napi::BigInt::New(env, id),
							     handed_over(env, std::move(bytes))});
					});
			});
			return 0;
		});
		return env.Undefined();
	}

	Napi::Value Watch(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		guarded(env, [&] {
			rec(env).watch(id);
			return 0;
		});
		return env.Undefined();
	}

	Napi::Value Unwatch(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		uint64_t id = cgroup_id_arg(info);
		guarded(env, [&] {
			rec(env).unwatch(id);
			return 0;
		});
		// Hand out what unwatch() flushed now, not on a later tick: the
		// caller may end its stream right after this returns.
		if (outbox_)
			for (auto &[cg, bytes] : outbox_->take())
				on_batch_.Call({Napi::BigInt::New(env, cg),
						handed_over(env, std::move(bytes))});
		return env.Undefined();
	}

	// Events the outbox dropped for this cgroup because JS was behind.
	Napi::Value NotShown(const Napi::CallbackInfo &info)
	{
		uint64_t id = cgroup_id_arg(info);
		return Napi::Number::New(info.Env(),
					 outbox_ ? static_cast<double>(outbox_->dropped(id)) : 0);
	}

	Napi::Value LoadReport(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		const traceloop::LoadReport &r = rec(env).load_report();
		Napi::Object o = Napi::Object::New(env);
		Napi::Array progs = Napi::Array::New(env, r.programs.size());
		for (size_t i = 0; i < r.programs.size(); i++) {
			const ProgramStats &p = r.programs[i];
			Napi::Object po = Napi::Object::New(env);
			po.Set("name", p.name);
			po.Set("insns", static_cast<double>(p.insns));
			Napi::Array stack = Napi::Array::New(env, p.stack.size());
			for (size_t j = 0; j < p.stack.size(); j++)
				stack.Set(j, p.stack[j]);
			po.Set("stack", stack);
			po.Set("verifyUs", static_cast<double>(p.verify_us));
			progs.Set(i, po);
		}
		o.Set("programs", progs);
		o.Set("loadMs", r.load_ms);
		o.Set("attempts", r.attempts);
		o.Set("families", r.families);
		o.Set("leftOut", r.left_out);
		o.Set("leftOutNames", family_names(r.left_out));
		o.Set("leftOutWhy", r.left_out_why);
		return o;
	}

	std::unique_ptr<Recorder> rec_;
	std::shared_ptr<Outbox> outbox_;
	Napi::FunctionReference on_batch_;
	Napi::ThreadSafeFunction tsfn_;
};

// new LossLedger(): the drop-and-mark piece the Outbox uses, for each HTTP
// /stream (src/server/stream.ts), so both drop paths owe and mark alike.
class LossLedgerWrap : public Napi::ObjectWrap<LossLedgerWrap> {
public:
	static Napi::Function Define(Napi::Env env)
	{
		return DefineClass(
		    env, "LossLedger",
		    {
			InstanceMethod("drop", &LossLedgerWrap::Drop),
			InstanceMethod("owe", &LossLedgerWrap::Owe),
			InstanceAccessor("pending", &LossLedgerWrap::Pending, nullptr),
			InstanceAccessor("markers", &LossLedgerWrap::Markers, nullptr),
			InstanceMethod("take", &LossLedgerWrap::Take),
			InstanceMethod("owedEver", &LossLedgerWrap::OwedEver),
		    });
	}

	explicit LossLedgerWrap(const Napi::CallbackInfo &info)
	    : Napi::ObjectWrap<LossLedgerWrap>(info)
	{
	}

private:
	// drop(batch: Buffer)
	Napi::Value Drop(const Napi::CallbackInfo &info)
	{
		if (info.Length() < 1 || !info[0].IsBuffer())
			throw Napi::TypeError::New(info.Env(), "drop(batch: Buffer)");
		auto batch = info[0].As<Napi::Buffer<uint8_t>>();
		ledger_.drop(batch.Data(), batch.Length());
		return info.Env().Undefined();
	}

	// owe(cpu, reason, count, tsFrom: bigint, tsTo: bigint)
	Napi::Value Owe(const Napi::CallbackInfo &info)
	{
		if (info.Length() < 5 || !info[3].IsBigInt() || !info[4].IsBigInt())
			throw Napi::TypeError::New(info.Env(),
						   "owe(cpu, reason, count, tsFrom, tsTo)");
		bool lossless = false;
		ledger_.owe(info[0].As<Napi::Number>().Uint32Value(),
			    static_cast<uint8_t>(info[1].As<Napi::Number>().Uint32Value()),
			    static_cast<uint64_t>(info[2].As<Napi::Number>().DoubleValue()),
			    info[3].As<Napi::BigInt>().Uint64Value(&lossless),
			    info[4].As<Napi::BigInt>().Uint64Value(&lossless));
		return info.Env().Undefined();
	}

	Napi::Value Pending(const Napi::CallbackInfo &info)
	{
		return Napi::Boolean::New(info.Env(), ledger_.pending());
	}

	Napi::Value Markers(const Napi::CallbackInfo &info)
	{
		return Napi::Number::New(info.Env(), static_cast<double>(ledger_.markers()));
	}

	Napi::Value Take(const Napi::CallbackInfo &info)
	{
		std::vector<uint8_t> out;
		ledger_.take(out);
		return Napi::Buffer<uint8_t>::Copy(info.Env(), out.data(), out.size());
	}

	Napi::Value OwedEver(const Napi::CallbackInfo &info)
	{
		const uint32_t reason = info[0].As<Napi::Number>().Uint32Value();
		return Napi::Number::New(info.Env(), reason > UINT8_MAX
							 ? 0
							 : static_cast<double>(ledger_.owed_ever(
							       static_cast<uint8_t>(reason))));
	}

	LossLedger ledger_;
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
Napi::Object Init(Napi::Env env, Napi::Object exports)
{
	exports.Set("Recorder", RecorderWrap::Define(env));
	exports.Set("LossLedger", LossLedgerWrap::Define(env));
	exports.Set("versions", Napi::Function::New(env, Versions));
	init_test_hooks(env, exports);
	return exports;
}

} // namespace
} // namespace traceloop

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports)
{
	return traceloop::Init(env, exports);
}

NODE_API_MODULE(NODE_GYP_MODULE_NAME, InitAddon)

{
  "targets": [
    {
      "target_name": "traceloop",
      "sources": [
        "native/addon.cc",
        "native/recorder.cc",
        "native/loader.cc",
        "native/test_hooks.cc",
        "native/ring_reader.cc",
        "native/live_merger.cc",
        "native/loss_ledger.cc",
        "native/outbox.cc",
        "native/synthetic.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "vendor/libbpf/include",
        "bpf/.output"
      ],
      "defines": ["NAPI_CPP_EXCEPTIONS", "NAPI_VERSION=8", "TL_LIBBPF_VERSION=\"<!(cat vendor/libbpf/VERSION)\""],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=gnu++20", "-fexceptions", "-Wall", "-Wextra", "-Wno-missing-field-initializers", "-O2"],
      "libraries": [
        "<(module_root_dir)/vendor/libbpf/lib/libbpf.a",
        "-lelf",
        "-lz"
      ]
    }
  ]
}

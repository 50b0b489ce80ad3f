{
  "targets": [
    {
      "target_name": "bulwark_fanotify",
      "conditions": [
        ["OS=='linux'", {
          "sources": ["exec_guard.cc", "opener.cc"],
          "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
          "cflags_cc!": ["-fno-exceptions"],
          "defines": ["NAPI_VERSION=8"]
        }]
      ]
    }
  ]
}

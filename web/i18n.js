/*
 * i18n.js — every string the web UI shows, in English and Simplified
 * Chinese. CM.t(key, {vars}, fallback) looks a key up in the chosen
 * language, then English, then the fallback (used for words that come from
 * devices, e.g. a vendor's sensor state); "{name}" placeholders are filled
 * from vars. The language is the user's choice (kept in localStorage),
 * else the browser's.
 */
"use strict";

(function () {
  const CM = window.CM || (window.CM = {});

  const STRINGS = {
    en: {
      other_language: "中文", other_language_short: "中文",
      login: "Log in", logout: "Log out", user_name: "User name", password: "Password",
      login_failed: "Wrong user name or password.",
      offline: "Offline: the collector cannot be reached. Figures shown may be old.",
      overview: "Overview", devices: "Devices", servers: "Servers", settings: "Settings", audit: "Audit trail",
      health_by_kind: "Health by device kind", active_alerts: "Active alerts", alerts: "Alerts",
      machine_room: "Machine room", busiest_links: "Busiest links", agents_reporting: "Agents reporting",
      agents_summary: "{up} of {total} agents reporting",
      not_available_yet: "{what}: not available yet on this collector.",
      nothing_yet: "Nothing yet.", no_agents: "No agent has reported yet.", no_devices: "No devices yet.",
      no_alerts: "No active alerts.", no_room_devices: "No UPS, PDU or room sensor in the inventory.",
      no_sensors: "No sensors.", no_links: "No interface traffic yet.", no_interfaces: "No interfaces.",
      no_match: "No device matches these filters.", no_tokens: "No tokens.", no_entries: "No entries.",
      no_data: "No data in this range", nothing_here: "Nothing here",
      no_access: "Your role has no access to this page.",
      host: "Host", status: "Status", load: "Load (1 min)", last_seen: "Last seen", kind: "Kind",
      total: "Total", severity: "Severity", alert: "Alert", device: "Device", since: "Since",
      interface: "Interface", direction: "Direction", rate: "Rate", in: "In", out: "Out",
      reporting: "reporting", silent: "silent", never: "never",
      ago_s: "{n} s ago", ago_m: "{n} min ago", ago_h: "{n} h ago", ago_d: "{n} days ago", days: "{n} days",
      cpu: "CPU", memory: "Memory", memory_total: "Memory size", uptime: "Up for", now: "Now",
      cpu_usage: "CPU usage", memory_used: "Memory used", network: "Network", disk_iops: "Disk operations",
      any_series: "Any series", choose: "Choose a series…", filesystems: "Filesystems", disks: "Disks",
      mount: "Mounted on", fstype: "Type", used: "Used", size: "Size", disk: "Disk", reads: "Reads",
      writes: "Writes", read_latency: "Read latency", write_latency: "Write latency", busy: "Busy",
      errors: "Errors", range: "Range", range_1h: "1 h", range_1d: "1 d", range_1w: "1 w", range_1y: "1 y",
      zoom_reset: "Reset zoom", zoom_hint: "Drag across a graph to zoom in; tap a row to graph it.",
      search: "Search", search_devices: "Name, address, description", all_kinds: "All kinds",
      all_statuses: "All statuses", location: "Location", monitored: "Monitored",
      monitored_any: "Monitored or not", monitored_yes: "Monitored", monitored_no: "Not monitored",
      n_of_m: "{n} of {m} devices", name: "Name", address: "Address", yes: "yes", no: "no",
      add_device: "Add a device", name_optional: "Name (optional)", community: "SNMP community",
      kind_auto: "Detect", site: "Site", building: "Building", room: "Room",
      device_added: "Added {name}; the first poll follows shortly.",
      identity: "Identity", sensors: "Sensors", interfaces: "Interfaces", interface_traffic: "Interface traffic",
      model: "Model", serial: "Serial number", firmware: "Firmware", asset_tag: "Asset tag",
      description: "Description", field: "Field", value: "Value", type: "Type", state: "State",
      alias: "Alias", speed: "Speed", admin_word: "admin", agent_figures: "Agent figures",
      stop_monitoring: "Stop monitoring", start_monitoring: "Monitor", remove: "Remove",
      confirm_remove_device: "Remove {name} from the inventory? Its history stays on disk.",
      users: "Users", tokens: "API and agent tokens", language: "Language", role: "Role",
      add_user: "Add user", user_added: "User {name} added.", saved: "Saved.",
      disabled: "disabled", enabled: "enabled", last_login: "Last login", actions: "Actions",
      new_password: "New password", set_password: "Set password", save: "Save", enable: "Enable",
      disable: "Disable", delete: "Delete", confirm_delete_user: "Delete user {name}?",
      token_api: "API (scripts)", token_agent: "Agent (writes samples)", any_host: "any host",
      host_binding: "Only for host", create_token: "Create token", created: "Created",
      revoked: "revoked", active: "active", revoke: "Revoke", confirm_revoke: "Revoke token {name}? Whatever uses it stops working.",
      token_revoked: "Token {name} revoked.",
      token_shown_once: "Token {name} created. Copy it now: it is not shown again.",
      agent_for: "agent for {host}",
      all_actions: "All actions", action: "Action", who: "Who", when: "When", from_addr: "From",
      target: "Target", detail: "Detail", result: "Result", ok: "ok", refused: "refused",
      audit_retention: "Logins and changes are kept for at least 180 days.",
      role_admin: "admin", role_operator: "operator", role_viewer: "viewer", role_auditor: "auditor",
      role_agent: "agent",
      state_up: "up", state_down: "down", state_unreachable: "unreachable", state_unknown: "unknown",
      state_normal: "normal", state_warning: "warning", state_critical: "critical", state_ok: "ok",
      state_on_battery: "on battery", state_leak: "leak",
      kind_switch: "switch", kind_router: "router", kind_firewall: "firewall", kind_wlc: "wireless controller",
      kind_ap: "access point", kind_server: "server", kind_storage: "storage", kind_ups: "UPS",
      kind_pdu: "PDU", kind_sensor: "room sensor", kind_camera: "camera", kind_printer: "printer",
      kind_other: "other",
      sensor_temperature: "temperature", sensor_humidity: "humidity", sensor_voltage: "voltage",
      sensor_current: "current", sensor_power: "power", sensor_apparent_power: "apparent power",
      sensor_frequency: "frequency", sensor_charge: "battery charge", sensor_runtime: "runtime",
      sensor_load: "load", sensor_leak: "leak", sensor_door: "door", sensor_smoke: "smoke",
      sensor_fan: "fan", sensor_psu: "power supply", sensor_airflow: "airflow", sensor_other: "other",
      action_login: "login", action_logout: "logout", action_user_create: "user added",
      action_user_update: "user changed", action_user_delete: "user deleted",
      action_token_create: "token created", action_token_revoke: "token revoked", action_backup: "backup",
    },
    "zh-CN": {
      other_language: "English", other_language_short: "EN",
      login: "登录", logout: "退出", user_name: "用户名", password: "密码",
      login_failed: "用户名或密码错误。",
      offline: "离线：无法连接采集器，显示的数据可能已过时。",
      overview: "总览", devices: "设备", servers: "服务器", settings: "设置", audit: "审计日志",
      health_by_kind: "按设备类型的健康状况", active_alerts: "当前告警", alerts: "告警",
      machine_room: "机房环境", busiest_links: "最繁忙链路", agents_reporting: "上报中的代理",
      agents_summary: "{total} 个代理中 {up} 个正在上报",
      not_available_yet: "{what}：此采集器尚未提供。",
      nothing_yet: "暂无内容。", no_agents: "尚无代理上报。", no_devices: "尚无设备。",
      no_alerts: "没有当前告警。", no_room_devices: "资产中没有 UPS、PDU 或机房传感器。",
      no_sensors: "没有传感器。", no_links: "尚无接口流量。", no_interfaces: "没有接口。",
      no_match: "没有符合筛选条件的设备。", no_tokens: "没有令牌。", no_entries: "没有记录。",
      no_data: "此时间范围内没有数据", nothing_here: "此处无内容",
      no_access: "您的角色无权访问此页面。",
      host: "主机", status: "状态", load: "负载（1 分钟）", last_seen: "最后上报", kind: "类型",
      total: "总数", severity: "级别", alert: "告警", device: "设备", since: "开始于",
      interface: "接口", direction: "方向", rate: "速率", in: "入", out: "出",
      reporting: "上报中", silent: "无数据", never: "从未",
      ago_s: "{n} 秒前", ago_m: "{n} 分钟前", ago_h: "{n} 小时前", ago_d: "{n} 天前", days: "{n} 天",
      cpu: "CPU", memory: "内存", memory_total: "内存容量", uptime: "运行时间", now: "当前",
      cpu_usage: "CPU 使用率", memory_used: "内存使用率", network: "网络", disk_iops: "磁盘 IOPS",
      any_series: "任意指标", choose: "选择一个指标…", filesystems: "文件系统", disks: "磁盘",
      mount: "挂载点", fstype: "类型", used: "已用", size: "容量", disk: "磁盘", reads: "读",
      writes: "写", read_latency: "读延迟", write_latency: "写延迟", busy: "繁忙度",
      errors: "错误", range: "时间范围", range_1h: "1 小时", range_1d: "1 天", range_1w: "1 周", range_1y: "1 年",
      zoom_reset: "重置缩放", zoom_hint: "在图上拖动可放大；点击表格行可绘制其曲线。",
      search: "搜索", search_devices: "名称、地址、描述", all_kinds: "全部类型",
      all_statuses: "全部状态", location: "位置", monitored: "监控",
      monitored_any: "全部", monitored_yes: "已监控", monitored_no: "未监控",
      n_of_m: "{m} 台设备中的 {n} 台", name: "名称", address: "地址", yes: "是", no: "否",
      add_device: "添加设备", name_optional: "名称（可选）", community: "SNMP 团体名",
      kind_auto: "自动识别", site: "校区", building: "楼宇", room: "房间",
      device_added: "已添加 {name}，稍后将进行首次轮询。",
      identity: "基本信息", sensors: "传感器", interfaces: "接口", interface_traffic: "接口流量",
      model: "型号", serial: "序列号", firmware: "固件", asset_tag: "资产编号",
      description: "描述", field: "字段", value: "值", type: "类型", state: "状态",
      alias: "别名", speed: "速率", admin_word: "管理", agent_figures: "代理数据",
      stop_monitoring: "停止监控", start_monitoring: "开始监控", remove: "移除",
      confirm_remove_device: "从资产中移除 {name}？其历史数据仍保留在磁盘上。",
      users: "用户", tokens: "API 与代理令牌", language: "语言", role: "角色",
      add_user: "添加用户", user_added: "已添加用户 {name}。", saved: "已保存。",
      disabled: "已停用", enabled: "已启用", last_login: "最近登录", actions: "操作",
      new_password: "新密码", set_password: "设置密码", save: "保存", enable: "启用",
      disable: "停用", delete: "删除", confirm_delete_user: "删除用户 {name}？",
      token_api: "API（脚本）", token_agent: "代理（写入数据）", any_host: "任意主机",
      host_binding: "仅限主机", create_token: "创建令牌", created: "创建时间",
      revoked: "已吊销", active: "有效", revoke: "吊销", confirm_revoke: "吊销令牌 {name}？使用它的程序将无法继续工作。",
      token_revoked: "令牌 {name} 已吊销。",
      token_shown_once: "令牌 {name} 已创建。请立即复制：它不会再次显示。",
      agent_for: "{host} 的代理",
      all_actions: "全部操作", action: "操作", who: "操作者", when: "时间", from_addr: "来源",
      target: "对象", detail: "详情", result: "结果", ok: "成功", refused: "拒绝",
      audit_retention: "登录与变更记录至少保留 180 天。",
      role_admin: "管理员", role_operator: "运维员", role_viewer: "只读用户", role_auditor: "审计员",
      role_agent: "代理",
      state_up: "正常", state_down: "故障", state_unreachable: "不可达", state_unknown: "未知",
      state_normal: "正常", state_warning: "警告", state_critical: "严重", state_ok: "成功",
      state_on_battery: "电池供电", state_leak: "漏水",
      kind_switch: "交换机", kind_router: "路由器", kind_firewall: "防火墙", kind_wlc: "无线控制器",
      kind_ap: "无线接入点", kind_server: "服务器", kind_storage: "存储", kind_ups: "UPS",
      kind_pdu: "PDU", kind_sensor: "机房传感器", kind_camera: "摄像机", kind_printer: "打印机",
      kind_other: "其他",
      sensor_temperature: "温度", sensor_humidity: "湿度", sensor_voltage: "电压",
      sensor_current: "电流", sensor_power: "功率", sensor_apparent_power: "视在功率",
      sensor_frequency: "频率", sensor_charge: "电池电量", sensor_runtime: "续航时间",
      sensor_load: "负载", sensor_leak: "漏水", sensor_door: "门禁", sensor_smoke: "烟雾",
      sensor_fan: "风扇", sensor_psu: "电源", sensor_airflow: "气流", sensor_other: "其他",
      action_login: "登录", action_logout: "退出", action_user_create: "添加用户",
      action_user_update: "修改用户", action_user_delete: "删除用户",
      action_token_create: "创建令牌", action_token_revoke: "吊销令牌", action_backup: "备份",
    },
  };
  CM.STRINGS = STRINGS;

  let current = null;
  try { current = window.localStorage.getItem("campusmon.lang"); } catch (e) { current = null; }
  if (!STRINGS[current])
    current = (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh-CN" : "en";

  CM.lang = () => current;
  CM.setLang = (l) => {
    if (!STRINGS[l]) return;
    current = l;
    try { window.localStorage.setItem("campusmon.lang", l); } catch (e) { /* private mode */ }
  };

  CM.t = function t(key, vars, fallback) {
    let s = STRINGS[current][key];
    if (s === undefined) s = STRINGS.en[key];
    if (s === undefined) s = fallback !== undefined ? String(fallback) : key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
    return s;
  };
})();

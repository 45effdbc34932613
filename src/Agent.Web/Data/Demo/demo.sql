-- Demo data set: loaded by scripts/run.sh on an empty database so a newcomer sees a living system.
-- Dates are relative to today so the 三包 states stay varied whenever it is loaded.

INSERT INTO service_lines (code, name_zh, name_en, welcome_prompt) VALUES
  ('repairs',    '维修服务', 'Repairs',    'welcome_repairs.wav'),
  ('complaints', '投诉受理', 'Complaints', 'welcome_complaints.wav'),
  ('enquiries',  '业务咨询', 'Enquiries',  'welcome_enquiries.wav');

INSERT INTO toll_free_numbers (number, service_line_id, description)
SELECT n, l.id, d FROM (VALUES
  ('8008101000', 'repairs',    '维修热线 800-810-1000'),
  ('8008102000', 'complaints', '投诉热线 800-810-2000'),
  ('8008103000', 'enquiries',  '咨询热线 800-810-3000'),
  ('4006101000', 'repairs',    '维修热线(手机可拨) 400-610-1000')) v(n, code, d)
JOIN service_lines l ON l.code = v.code;

INSERT INTO teams (name) VALUES ('售后一组');

INSERT INTO agents (username, display_name, employee_no, roles, team_id, sip_username, hired_on, state) VALUES
  ('agent1',     '李静',   '1001', '{agent}',      1, 'agent1', current_date - 400, 'offline'),
  ('agent2',     '张伟',   '1002', '{agent}',      1, 'agent2', current_date - 200, 'offline'),
  ('agent3',     '刘洋',   '1003', '{agent}',      1, 'agent3', current_date - 10,  'offline'),
  ('supervisor', '陈主管', '2001', '{supervisor}', 1, NULL,     current_date - 900, 'offline'),
  ('qa1',        '赵质检', '3001', '{qa}',         NULL, NULL,  current_date - 700, 'offline'),
  ('admin',      '系统管理员', '9001', '{admin}',  NULL, NULL,  NULL,               'offline');

INSERT INTO agent_skills (agent_id, service_line_id, level)
SELECT a.id, l.id, 1 FROM agents a CROSS JOIN service_lines l
WHERE (a.username = 'agent1')
   OR (a.username = 'agent2' AND l.code IN ('repairs','enquiries'))
   OR (a.username = 'agent3' AND l.code IN ('complaints','enquiries'));

INSERT INTO customers (name, surname, honorific, address, vip_tier, elderly, notes) VALUES
  ('王建国', '王', '先生', '北京市海淀区中关村大街27号', 'gold', false, '老客户，手机维修多次'),
  ('李秀英', '李', '女士', '上海市浦东新区世纪大道100号', 'none', true,  '年长客户，请放慢语速'),
  ('陈晓明', '陈', '先生', '广州市天河区体育西路191号',   'none', false, NULL),
  ('赵丽',   '赵', '女士', '成都市武侯区人民南路四段1号', 'silver', false, '投诉处理中');

INSERT INTO customer_phones (customer_id, number, kind, is_preferred, verified) VALUES
  (1, '13800138001', 'mobile', true,  true),
  (1, '01062345678', 'home',   false, true),
  (2, '13900139002', 'mobile', true,  true),
  (3, '13700137003', 'mobile', true,  true),
  (4, '13600136004', 'mobile', true,  true);

INSERT INTO purchases (customer_id, category_code, brand, model, imei_or_serial, sale_date, activation_date,
                       invoice_no, seller_name, seller_phone, price) VALUES
  (1, 'handset', '华为', 'Mate 60',        '860000000000011', current_date - 3,   current_date - 3,   'FP2026-0001', '中关村营业厅',   '01088880000', 5999.00),
  (1, 'pc',      '联想', 'ThinkPad X1',    'PF3ABCDE',        current_date - 500, NULL,               'FP2024-0777', '联想专卖店',     '01066660000', 9999.00),
  (2, 'handset', '小米', 'Redmi Note 13',  '860000000000022', current_date - 12,  current_date - 12,  'FP2026-0002', '浦东营业厅',     '02155550000', 1299.00),
  (3, 'handset', 'OPPO', 'Reno 11',        '860000000000033', current_date - 200, current_date - 190, 'FP2026-0003', '天河营业厅',     '02033330000', 2499.00),
  (4, 'handset', 'vivo', 'X100',           '860000000000044', current_date - 400, current_date - 400, 'FP2025-0004', '武侯营业厅',     '02877770000', 3999.00);

INSERT INTO purchase_accessories (purchase_id, accessory, serial_or_batch) VALUES
  (1, 'battery', 'BAT-2026-11'), (1, 'charger', 'CHG-2026-11'), (1, 'earphone', 'EAR-2026-11'),
  (4, 'battery', 'BAT-2026-05');

INSERT INTO repair_orders (order_no, customer_id, purchase_id, status, fault_description, fault_category,
                           reproduced, man_made_damage, in_warranty, technician, promised_at, ready_at, owner_agent_id) VALUES
  ('WX20261101', 3, 4, 'ready_for_pickup', '无法开机', '無法開機', true, false, true, '孙师傅',
   now() - interval '1 day', now() - interval '3 hours', 1),
  ('WX20261102', 4, 5, 'repairing', '屏幕无显示', '屏幕無顯示/錯字/漏劃', true, false, false, '周师傅',
   now() + interval '2 days', NULL, 2),
  ('WX20261103', 1, 2, 'ready_for_pickup', 'CPU风扇异响', 'CPU风扇', true, false, true, '吴师傅',
   now() - interval '2 hours', now() - interval '1 hour', 1);

INSERT INTO complaints (complaint_no, customer_id, repair_order_id, channel, problem_type, cause_class, category,
                        severity, expected_outcome, summary, customer_request, status, handler_agent_id,
                        created_at, first_response_due_at, resolution_due_at) VALUES
  ('TS20261101', 4, 2, 'phone', 'service', 'staff', '维修周期过长', 'S2', 'compensate',
   '手机送修超过一周仍未修好，客户不满', '尽快修好并补偿', 'open', 3,
   now() - interval '20 hours', now() + interval '4 hours', now() + interval '2 days');

INSERT INTO blocking_rules (kind, number, action, reject_code, reason, created_by, expires_at) VALUES
  ('exact', '17000000000', 'reject', 603, '演示：已确认的骚扰号码', 'supervisor', now() + interval '30 days'),
  ('anonymous', NULL, 'announce', 603, '演示：隐藏号码来电播放提示后挂断', 'supervisor', NULL);
INSERT INTO blocking_rules (kind, max_calls, window_minutes, action, reason, created_by) VALUES
  ('rate', 10, 60, 'flag', '演示：60分钟内超过10次来电', 'supervisor');

-- Reference data from the seeds (domain.md). Rows, not constants: an admin may change them.

INSERT INTO product_categories (code, name_zh, return_days, exchange_days, warranty_months, depreciation_per_day, source) VALUES
  ('handset',         '手持移动电话机', 7, 15, 12, 0.005, '000 L16-18, L30-34'),
  ('vehicle_phone',   '车载移动电话机', 7, 15, 12, 0.005, '000 L34'),
  ('fixed_station',   '固定台站电话机', 7, 15, 12, 0.005, '000 L34'),
  ('pc',              '电脑(联想类)',   7, 15, 36, NULL,  '003 L2827-L2831 (high-value parts 3 years)'),
  ('general',         '一般商品',       7, 15, 12, NULL,  '002 L13 §一 第21条')
ON CONFLICT DO NOTHING;

INSERT INTO accessory_terms (category_code, accessory, name_zh, warranty_months, source) VALUES
  ('handset', 'battery',       '电池',           6,  '000 L32-34'),
  ('handset', 'charger',       '充电器(充电座)', 12, '000 L32-34'),
  ('handset', 'earphone',      '外接有线耳机',   3,  '000 L32-34'),
  ('handset', 'terminal_card', '移动终端卡',     12, '000 L32-34'),
  ('handset', 'data_card',     '数据接口卡',     12, '000 L32-34'),
  ('pc',      'cpu_fan',       'CPU风扇及易损件', 12, '003 L2831'),
  ('pc',      'replaced_part', '新替换备件',     3,  '003 L3561')
ON CONFLICT DO NOTHING;

INSERT INTO callback_policies (code, name_zh, mode, priority, max_attempts, settings, source) VALUES
  ('pickup_reminder', '取机提醒', 'automated', 4, 14,
   '{"day0Attempts":3,"day0SpacingMinutes":120,"secondDayOffsetDays":1,"secondDayAttempts":1,"weeklyAttempts":1,"maxWeeks":8,"smsAfterFirstFailedDay":true}',
   '000 L76; §13 #7, #8'),
  ('repair_followup', '维修回访', 'automated', 5, 2, '{"delayWorkingDays":1}', '000 L82; §13 #12'),
  ('remote_fix_check', '远程指导回访', 'agent_first', 3, 2, '{"delayMinutes":10}', '003 L3303, L3325'),
  ('promise', '承诺回电', 'agent_first', 2, 3, '{"supervisorAlertMinutesBefore":5}', '003 L1083'),
  ('complaint_first_response', '投诉首次回复', 'agent_first', 1, 3, '{"dueHours":24}', '004 L257'),
  ('complaint_result', '投诉处理结果', 'agent_first', 1, 3, '{"dueWorkingDays":3}', '004 L257'),
  ('complaint_followup', '投诉回访', 'agent_first', 4, 2, '{"delayWorkingDays":2}', '001 L263-268, L323'),
  ('abandoned', '放弃来电回拨', 'agent_first', 3, 3, '{"spacingMinutes":30}', '(D) not in the seeds'),
  ('queue_callback', '排队回拨', 'agent_first', 3, 3, '{"spacingMinutes":15}', '(D) not in the seeds'),
  ('manual', '人工预约回电', 'agent_first', 5, 3, '{}', '(D)')
ON CONFLICT DO NOTHING;

INSERT INTO settings (key, value, description, source) VALUES
  ('Policy:RemedyBias', '"CustomerFirst"', '可換可不換的給換 vs 變退為換', '000 L40, L126; §13 #1'),
  ('Nuisance:Announcement', '"您好，您的来电已结束，如需服务请稍后再拨。"', 'neutral nuisance announcement', '001 L312; §13 #3'),
  ('Company:Name', '"CallCenter演示公司"', 'company name in the greeting (这里是x x x x)', '002 L13 §八 第3条(3); §13 #5'),
  ('Repair:ContactWithinMinutes', '30', 'contact after a repair request', '002 L13 §一 第19条(2); §13 #5'),
  ('Repair:DispatchUrbanHours', '4', 'dispatch, urban', '002 L13 §一 第19条(11); §13 #5'),
  ('Repair:DispatchSuburbanHours', '8', 'dispatch, suburban', '002 L13 §一 第19条(11); §13 #5'),
  ('Warranty:BatteryMinCapacityPercent', '80', 'battery fault criterion ("8%" read as 80%)', '000 L36; §13 #6'),
  ('Acd:AnswerWithinSeconds', '15', '"3 rings" in seconds', '002 L13 §八 第3条(3); §13 #9'),
  ('Kpi:AnswerRateGoal', '0.85', 'live-agent answer rate goal', '001 L303'),
  ('Kpi:ShortAbandonSeconds', '5', 'abandons shorter than this are not counted', '§13 #10'),
  ('Survey:ScaleMax', '5', 'satisfaction scale', '000 L82; 003 L3573; §13 #13'),
  ('Screening:PostHangupSeconds', '0', 'agent audio after hang-up (off until legal review)', '003 L1707-L1737; §13 #19'),
  ('Qa:SamplesPerAgentPerWeek', '5', 'QA sample quota', '§13 #21'),
  ('Qa:NewAgentMultiplier', '2', 'QA quota multiplier for new agents', '002 L13 §五 第11条; §13 #21'),
  ('Nuisance:VelocityCalls', '10', 'calls per window that flag a caller', '§13 #22'),
  ('Nuisance:VelocityWindowMinutes', '60', 'velocity window', '§13 #22'),
  ('Complaint:FirstResponseHours', '24', 'first reply to a complaint', '004 L257'),
  ('Complaint:ResultWorkingDays', '3', 'complaint result', '004 L257')
ON CONFLICT DO NOTHING;

INSERT INTO qa_forms (id, name, version) VALUES (1, '通话质检标准表', 1) ON CONFLICT DO NOTHING;
SELECT setval(pg_get_serial_sequence('qa_forms', 'id'), GREATEST((SELECT max(id) FROM qa_forms), 1));
INSERT INTO qa_form_items (form_id, code, title_zh, weight, fatal, guidance, prefill, position) VALUES
  (1, 'greeting',   '及时问候并自报工号',       10, false, 'RQ02-RQ05, RQ08-RQ09', 'required:greeting', 1),
  (1, 'need',       '复述并确认客户问题',       10, false, 'RQ10', 'required:need', 2),
  (1, 'etiquette',  '等待与转接礼仪',           10, false, 'RQ12-RQ15', NULL, 3),
  (1, 'empathy',    '致歉、感谢与共情',         10, false, 'RQ16-RQ29', NULL, 4),
  (1, 'no_taboo',   '无服务禁语(H级为否决项)',  25, true,  '§2', 'taboo', 5),
  (1, 'disclosure', '三包/费用/时限等告知准确', 10, false, 'RQ30-RQ35, RQ42', NULL, 6),
  (1, 'closing',    '规范结束语',               10, false, 'RQ45-RQ49', 'required:closing', 7),
  (1, 'hangup',     '客户先挂机',               5,  false, 'RQ50', NULL, 8),
  (1, 'resolution', '问题解决',                 10, false, '002 L13 §八 第3条(4)B', NULL, 9)
ON CONFLICT DO NOTHING;

INSERT INTO qa_sampling_plans (name) VALUES ('每周抽检') ON CONFLICT DO NOTHING;

-- Hotline default hours (not in any seed, §13 #20): every day 08:00-20:00.
INSERT INTO business_hours (service_line_id, weekday, opens, closes)
SELECT NULL, d, '08:00', '20:00' FROM generate_series(0, 6) d
ON CONFLICT DO NOTHING;

-- Mainland 2026 public holidays and 调休 workdays (State Council notice; editable in the admin page).
INSERT INTO calendar_days (day, kind, name) VALUES
  ('2026-01-01','holiday','元旦'), ('2026-01-02','holiday','元旦'), ('2026-01-03','holiday','元旦'),
  ('2026-01-04','workday','元旦调休'),
  ('2026-02-14','workday','春节调休'),
  ('2026-02-15','holiday','春节'), ('2026-02-16','holiday','春节'), ('2026-02-17','holiday','春节'),
  ('2026-02-18','holiday','春节'), ('2026-02-19','holiday','春节'), ('2026-02-20','holiday','春节'),
  ('2026-02-21','holiday','春节'), ('2026-02-22','holiday','春节'), ('2026-02-23','holiday','春节'),
  ('2026-02-28','workday','春节调休'),
  ('2026-04-04','holiday','清明节'), ('2026-04-05','holiday','清明节'), ('2026-04-06','holiday','清明节'),
  ('2026-05-01','holiday','劳动节'), ('2026-05-02','holiday','劳动节'), ('2026-05-03','holiday','劳动节'),
  ('2026-05-04','holiday','劳动节'), ('2026-05-05','holiday','劳动节'),
  ('2026-05-09','workday','劳动节调休'),
  ('2026-06-19','holiday','端午节'), ('2026-06-20','holiday','端午节'), ('2026-06-21','holiday','端午节'),
  ('2026-09-20','workday','国庆节调休'),
  ('2026-09-25','holiday','中秋节'), ('2026-09-26','holiday','中秋节'), ('2026-09-27','holiday','中秋节'),
  ('2026-10-01','holiday','国庆节'), ('2026-10-02','holiday','国庆节'), ('2026-10-03','holiday','国庆节'),
  ('2026-10-04','holiday','国庆节'), ('2026-10-05','holiday','国庆节'), ('2026-10-06','holiday','国庆节'),
  ('2026-10-07','holiday','国庆节'),
  ('2026-10-10','workday','国庆节调休')
ON CONFLICT DO NOTHING;

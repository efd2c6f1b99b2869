"""Traditional -> simplified Chinese for matching (the knowledge is written in simplified).

Covers the characters of everyday workplace writing; a character not listed passes through.
Only used on the way into the matcher: replies are always written in simplified Chinese.
"""

from __future__ import annotations

# Pairs of (traditional, simplified), written as two aligned strings to keep the table compact.
_TRAD = (
    "誰負責寫碼測試計劃場銷務資產設戶訴購買辦會議檔員開發構術選穩質廣營調競爭價財報預現體驗"
    "視覺裡這個們嗎來歸應該門線錯問題單據費貨幣帳賬結與為從對於還讓點麼樣給長將專業關係實際經"
    "驗團隊層級職績訓練聯絡話郵詢網頁號臺台灣區標準規範條據處統數據庫讀寫說書記錄檢查驗證權"
    "項製產換變動態協調溝通進度時間務類別軟硬體電腦機裝備維護環衛齊辦公採購簽約報價訂單客戶"
    "關懷訪問卷設計圖標視覺介面優化體驗研究調查訪談銷售渠道推廣廣告投放媒體內容活動策劃品牌"
    "傳播維護聲譽財務預算控制報表資金籌集運用監控現金流動負債損益稅發票報銷審計貸款費用成本"
    "核算員工招聘聘請離職績效薪資福利培訓團隊組織會議室檔案歸檔保管查詢辦公環境衛生安全設施"
    "維修採購用品架構選型擴展穩定性能測試計劃用例執行缺陷報告質量保障開發編寫代碼實現修復錯誤"
    "線上故障發佈發布版本需求定義規劃路線圖協調跨部門產品經理負責誰來做嗎呢歸哪個該找應當"
    "製造生產工廠量產供應鏈組裝硬體倉儲物流師賣幫邊啟壓響週頻則況決習鍵億萬辭圓專綫"
)
_SIMP = (
    "谁负责写码测试计划场销务资产设户诉购买办会议档员开发构术选稳质广营调竞争价财报预现体验"
    "视觉里这个们吗来归应该门线错问题单据费货币帐账结与为从对于还让点么样给长将专业关系实际经"
    "验团队层级职绩训练联络话邮询网页号台台湾区标准规范条据处统数据库读写说书记录检查验证权"
    "项制产换变动态协调沟通进度时间务类别软硬体电脑机装备维护环卫齐办公采购签约报价订单客户"
    "关怀访问卷设计图标视觉介面优化体验研究调查访谈销售渠道推广广告投放媒体内容活动策划品牌"
    "传播维护声誉财务预算控制报表资金筹集运用监控现金流动负债损益税发票报销审计贷款费用成本"
    "核算员工招聘聘请离职绩效薪资福利培训团队组织会议室档案归档保管查询办公环境卫生安全设施"
    "维修采购用品架构选型扩展稳定性能测试计划用例执行缺陷报告质量保障开发编写代码实现修复错误"
    "线上故障发布发布版本需求定义规划路线图协调跨部门产品经理负责谁来做吗呢归哪个该找应当"
    "制造生产工厂量产供应链组装硬体仓储物流师卖帮边启压响周频则况决习键亿万辞圆专线"
)
assert len(_TRAD) == len(_SIMP), "the two rows of the table must stay aligned"
_TABLE = str.maketrans({t: s for t, s in zip(_TRAD, _SIMP, strict=True) if t != s})

# Taiwan/Hong Kong workplace words that differ from mainland usage, after character mapping.
_WORDS = (
    ("程式码", "代码"),
    ("程式", "程序"),
    ("软体", "软件"),
    ("硬体", "硬件"),
    ("网路", "网络"),
    ("使用者", "用户"),
    ("专案", "项目"),
    ("品质", "质量"),
    ("资料库", "数据库"),
    ("介面", "界面"),
)


def to_simplified(text: str) -> str:
    text = text.translate(_TABLE)
    for word, mainland in _WORDS:
        text = text.replace(word, mainland)
    return text

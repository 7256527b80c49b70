"""Display words per language: statuses, priorities, kinds, chart labels.

Templates carry the sentences; this table carries the words that come from the
data (a status value is ``approved`` in a file and 已批准 in a Chinese report).
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("en", "zh")

_ZH: Mapping[str, str] = {
    # requirement statuses
    "draft": "草稿", "proposed": "待确认", "approved": "已批准", "implemented": "已实现",
    "verified": "已验收", "rejected": "已拒绝", "deprecated": "已废弃",
    # change request statuses
    "assessed": "已评估", "withdrawn": "已撤回",
    # risk statuses
    "open": "未关闭", "mitigating": "应对中", "closed": "已关闭", "occurred": "已发生",
    # decision statuses
    "accepted": "已采纳", "superseded": "已被取代",
    # priorities
    "must": "必须", "should": "应该", "could": "可以", "wont": "暂不",
    # kinds
    "requirement": "需求", "change": "变更请求", "risk": "风险", "decision": "决策",
    "meeting": "会议纪要", "feedback": "客户反馈", "lesson": "经验教训",
    # risk levels
    "low": "低", "medium": "中", "high": "高", "critical": "严重",
    # approval states
    "none": "未审批", "suspect": "审批失效",
    # approver roles (the usual ones; other role names are shown as written)
    "pm": "项目经理", "customer": "客户", "sponsor": "项目发起人",
    # meeting kinds
    "kickoff": "启动会", "status": "项目例会", "workshop": "需求研讨会", "review": "评审会",
    "demo": "演示会", "retro": "复盘会", "retrospective": "复盘会",
    # support ticket statuses ("open" and "closed" are the risk words above)
    "in-progress": "处理中", "resolved": "已解决",
    # after delivery: kinds and follow-up channels
    "training": "培训记录", "support": "支持工单", "followup": "回访记录",
    "visit": "上门拜访", "phone": "电话回访", "video": "视频会议", "email": "邮件", "im": "即时通讯",
    # milestone states
    "met": "已达成", "in_progress": "进行中", "missed": "未达成",
    # yes/no fields (review_overdue)
    "True": "是", "False": "否",
    # change request merged into the agreed scope (not built yet)
    "baselined": "纳入基线",
}

_EN: Mapping[str, str] = {
    "must": "Must", "should": "Should", "could": "Could", "wont": "Won't",
    "none": "not approved", "suspect": "suspect (changed since approval)",
    "change": "change request", "in-progress": "in progress", "followup": "follow-up visit",
    "met": "met", "in_progress": "in progress", "missed": "missed",
}

# Item field names as shown on site item pages (keys are front-matter fields).
FIELDS_ZH: Mapping[str, str] = {
    "status": "状态", "priority": "优先级", "owner": "负责人", "source": "来源", "milestone": "里程碑",
    "depends_on": "依赖", "tags": "标签", "created": "创建日期", "requested_by": "提出人",
    "affects": "影响需求", "branch": "分支", "date": "日期", "kind": "类型", "attendees": "参会人员",
    "relates": "关联事项", "open_actions": "未完成行动项", "probability": "发生概率", "impact": "影响程度",
    "score": "风险值", "level": "风险等级", "mitigation": "应对措施", "contingency": "应急预案",
    "review_by": "复查日期", "review_overdue": "复查逾期", "identified": "识别日期", "supersedes": "取代",
    "deciders": "决策人", "from": "反馈人", "category": "类别", "acceptance": "验收标准",
    "audience": "培训对象", "trainer": "培训讲师", "topics": "主题", "materials": "培训资料", "attendance": "出席人数",
    "severity": "严重程度", "reported": "报告日期", "responded": "首次响应日期", "resolved": "解决日期",
    "resolution": "解决方案", "contact": "回访对象", "channel": "回访方式", "satisfaction": "满意度",
    "next_visit": "下次回访日期", "opportunities": "合作机会",
    "context": "背景", "links": "参考链接",
}

CHART_LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "total": "Scope", "approved": "Approved", "done": "Done (implemented or verified)",
        "date": "Week", "count": "Requirements", "no_data": "No data",
        "probability": "Probability", "impact": "Impact", "low": "Low", "medium": "Medium",
        "high": "High", "critical": "Critical", "total_count": "Total",
    },
    "zh": {
        "total": "需求总数", "approved": "已批准", "done": "已完成（已实现或已验收）",
        "date": "周", "count": "需求数", "no_data": "暂无数据",
        "probability": "发生概率", "impact": "影响程度", "low": "低", "medium": "中",
        "high": "高", "critical": "严重", "total_count": "合计",
    },
}


def word(value: object, lang: str) -> str:
    """The display word for a data value (``approved`` → 已批准 in Chinese)."""
    text = "" if value is None else str(value)
    table = _ZH if lang == "zh" else _EN
    return table.get(text, text)


def chart_labels(lang: str) -> dict[str, str]:
    labels = dict(CHART_LABELS["zh" if lang == "zh" else "en"])
    for status in ("draft", "proposed", "approved", "implemented", "verified", "rejected", "deprecated"):
        labels.setdefault(status, word(status, lang))
    return labels


def field(key: object, lang: str) -> str:
    """The display name of an item field (``depends_on`` → 依赖 in Chinese; English keeps the key)."""
    text = "" if key is None else str(key)
    return FIELDS_ZH.get(text, text) if lang == "zh" else text

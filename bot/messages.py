"""Every user-facing string, per language, and the one place that picks a language.

Replies are written in the asker's script: `zh` (simplified), `zh-Hant` (Taiwan wording) and
`zh-HK` (Hong Kong wording) are the same Chinese strings converted with OpenCC, so a new string
is written once in simplified Chinese, once in English and once in Japanese. Japanese askers get
Japanese only when the knowledge carries Japanese reply texts (bot/script.py), else English.
"""

from __future__ import annotations

from .knowledge import Text
from .script import in_script

LANGS = ("zh", "zh-Hant", "zh-HK", "ja", "en")

_STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        # the answer
        "area": "领域",
        "owner": "负责团队",
        "contact": "联系方式",
        "pm_does": "产品经理要做的",
        "pm_does_not": "产品经理不做的",
        "sure": "把握",
        "also": "也可能是",
        "no_contact": "（未配置联系方式）",
        "very_sure": "很有把握",
        "fairly_sure": "比较有把握",
        "close_call": "有几个相近的领域，这是最可能的",
        "not_sure": "没有把握",
        "picked": "你选择的领域",
        # declines
        "declined": "这个问题我没有把握回答。",
        "off_topic": "这个问题不在我的知识范围内：我只回答“某项工作归哪个团队、"
        "产品经理在其中做什么”。",
        "no_words": "没看懂这个问题，请用文字描述你想找谁负责哪项工作，例如：“谁负责写代码？”",
        "no_topic": "请说一下是哪项工作，例如：“预算谁来编？”或“谁负责写测试用例？”",
        "closest": "最接近的领域",
        "ask_fallback": "可以问",
        # Slack
        "helpful": "👍 有帮助",
        "not_helpful": "👎 没帮助",
        "share": "分享到频道",
        "question": "问题",
        "shared_by": "分享者",
        "teams_title": "各领域及负责团队",
        "more": "还有 {n} 个团队未列出",
        "thanks_up": "谢谢，已记录 👍。点另一个按钮可以改。",
        "thanks_down": "谢谢，已记录 👎。",
        "gone": "这个答案对应的领域已不在知识库中，请重新提问。",
        "rate_limited": "你提问有点快了：每分钟最多 {limit} 个问题，请 {wait} 秒后再问。",
        # learning
        "pick_area": "选择正确的领域",
        "pick_prompt": "不对？选一下正确的领域，帮我学习：",
        "pick_thanks": "谢谢！已记下你选的“{area}”，管理员确认后我就会这样回答。",
        "home_ask": "*怎么问*\n在频道里 @我，私信我，或者用 `/owner <问题>`，例如“预算谁来编？”",
        "home_directory": "*团队目录*",
        "home_recent": "*你最近的问题*",
        "home_none": "还没有",
        "home_review": "*待审核的建议*（{n} 条）",
        "home_review_item": "*{question}*\n机器人的回答：{answer} · 建议：{area} · "
        "类似的提问：{similar} 次 · 来自 {user}",
        "home_approve": "通过",
        "home_reject": "拒绝",
        "home_other_area": "改成其他领域",
        "home_report": "*最近 {days} 天*：{total} 个问题 · 回答 {answered} · 模糊 {ambiguous} · "
        "拒答 {declined}",
        "home_clusters": "*没答上来的问题（相似的放在一起）*",
        "declined_answer": "（没有回答）",
        # admin
        "reload_refused": "抱歉，只有管理员可以重新加载知识库。有改动请联系管理员，"
        "或者直接问我问题。",
        "reload_disabled": "这个机器人没有开启知识库重新加载。",
        "reloaded": "已重新加载：版本 {old} -> {new}",
        "reload_unchanged": "知识库没有变化：仍是版本 {version}",
        "reload_rejected": "知识库改动有问题，未生效，仍在使用版本 {version}（{n} 个问题）：",
        # help
        "help_intro": "*Owner Bot* 告诉你某项工作归哪个团队负责，以及产品经理在其中做什么。",
        "help_ask": "`{command} 谁负责写代码？` 提问（只有你能看到回答，可以一键分享到频道）",
        "help_teams": "`{command} 团队` 查看所有领域及负责团队",
        "help_help": "`{command} 帮助` 显示这段说明",
        "help_mention": "也可以在频道里 @我 提问（我会在该消息的讨论串里回答），或者直接私信我。",
        "help_votes": "答案下方的 👍 / 👎 帮助我们改进知识库。",
        "help_text": "用 /owner <问题> 提问，/owner 团队 查看所有领域。",
    },
    "en": {
        "area": "Area",
        "owner": "Owning team",
        "contact": "Contact",
        "pm_does": "What the PM does",
        "pm_does_not": "What the PM does not do",
        "sure": "Confidence",
        "also": "Could also be",
        "no_contact": "(no contact configured)",
        "very_sure": "very sure",
        "fairly_sure": "fairly sure",
        "close_call": "a close call between a few areas",
        "not_sure": "not sure",
        "picked": "the area you picked",
        "declined": "I'm not confident enough to answer this one.",
        "off_topic": "That's outside what I know: I answer who owns a piece of work and what the "
        "product manager does there.",
        "no_words": "I couldn't read a question there. Describe the work you need an owner for, "
        "e.g. \"Who writes the code?\"",
        "no_topic": "Which piece of work do you mean? For example: \"Who owns the budget?\" or "
        "\"Who writes the test cases?\"",
        "closest": "Closest areas",
        "ask_fallback": "You can ask",
        "helpful": "👍 Helpful",
        "not_helpful": "👎 Not helpful",
        "share": "Share in channel",
        "question": "Question",
        "shared_by": "Shared by",
        "teams_title": "Areas and their owning teams",
        "more": "{n} more team(s) not shown",
        "thanks_up": "Thanks, recorded 👍. Click the other button to change it.",
        "thanks_down": "Thanks, recorded 👎.",
        "gone": "That area is no longer in the knowledge base: please ask again.",
        "rate_limited": "You're asking faster than I can keep up with: at most {limit} questions "
        "a minute. Please ask again in {wait} s.",
        "pick_area": "Pick the right area",
        "pick_prompt": "Not right? Pick the right area and I'll learn:",
        "pick_thanks": "Thanks! I noted “{area}”; once an admin confirms it, I'll answer that way.",
        "home_ask": "*How to ask*\n@mention me in a channel, DM me, or type `/owner <question>`, "
        "e.g. \"Who owns the budget?\"",
        "home_directory": "*Team directory*",
        "home_recent": "*Your recent questions*",
        "home_none": "none yet",
        "home_review": "*Suggestions to review* ({n})",
        "home_review_item": "*{question}*\nThe bot said: {answer} · suggested: {area} · "
        "asked similarly: {similar} time(s) · from {user}",
        "home_approve": "Approve",
        "home_reject": "Reject",
        "home_other_area": "Another area",
        "home_report": "*Last {days} days*: {total} questions · answered {answered} · "
        "ambiguous {ambiguous} · declined {declined}",
        "home_clusters": "*What it could not answer (similar questions together)*",
        "declined_answer": "(declined)",
        "reload_refused": "Sorry, only the bot's admins can reload the knowledge. Ask one of "
        "them, or ask me a question instead.",
        "reload_disabled": "Knowledge reload is not enabled on this bot.",
        "reloaded": "reloaded: version {old} -> {new}",
        "reload_unchanged": "no change: still serving version {version}",
        "reload_rejected": "knowledge edit rejected, still serving version {version} "
        "({n} problem(s)):",
        "help_intro": "*Owner Bot* tells you which team owns a piece of work and what the "
        "product manager does there.",
        "help_ask": "`{command} Who writes the code?` ask (only you see the answer; a button "
        "shares it in the channel)",
        "help_teams": "`{command} teams` (or `list`) shows every area and its owning team",
        "help_help": "`{command} help` shows this message",
        "help_mention": "You can also @mention me in a channel (I answer in the thread) or send "
        "me a DM.",
        "help_votes": "👍 / 👎 on an answer tells the maintainers what to improve.",
        "help_text": "Owner Bot: /owner <question> — who owns a piece of work and what the PM "
        "does. /owner teams lists the areas.",
    },
    "ja": {
        "area": "領域",
        "owner": "担当チーム",
        "contact": "連絡先",
        "pm_does": "PM がやること",
        "pm_does_not": "PM がやらないこと",
        "sure": "確度",
        "also": "こちらの可能性も",
        "no_contact": "（連絡先が未設定です）",
        "very_sure": "高い",
        "fairly_sure": "中くらい",
        "close_call": "近い領域がいくつかあり、これが最も近いものです",
        "not_sure": "低い",
        "picked": "あなたが選んだ領域",
        "declined": "この質問には自信を持って答えられません。",
        "off_topic": "この質問は私の担当外です。私が答えるのは「ある仕事をどのチームが担当し、プロ"
        "ダクトマネージャーがそこで何をするか」です。",
        "no_words": "質問が読み取れませんでした。担当者を知りたい仕事を文章で書いてください。例："
        "「コードは誰が書きますか？」",
        "no_topic": "どの仕事のことですか？例：「予算は誰が作りますか？」「テストケースは誰が書き"
        "ますか？」",
        "closest": "近い領域",
        "ask_fallback": "問い合わせ先",
        "helpful": "👍 役に立った",
        "not_helpful": "👎 役に立たなかった",
        "share": "チャンネルに共有",
        "question": "質問",
        "shared_by": "共有した人",
        "teams_title": "領域と担当チーム",
        "more": "ほか {n} チームは省略しています",
        "thanks_up": "ありがとうございます。👍 を記録しました。もう一方のボタンで変更できます。",
        "thanks_down": "ありがとうございます。👎 を記録しました。",
        "gone": "この回答の領域はもうナレッジにありません。もう一度質問してください。",
        "rate_limited": "質問のペースが速すぎます。1 分あたり最大 {limit} 件です。{wait} 秒後にも"
        "う一度どうぞ。",
        "pick_area": "正しい領域を選ぶ",
        "pick_prompt": "違いましたか？正しい領域を選んでもらえれば学習します：",
        "pick_thanks": "ありがとうございます！「{area}」を記録しました。管理者が確認したら、そのよ"
        "うに答えます。",
        "home_ask": "*質問のしかた*\nチャンネルで私を @メンションするか、DM するか、`/owner <質問>"
        "` と入力してください。例：「予算は誰が作りますか？」",
        "home_directory": "*チーム一覧*",
        "home_recent": "*最近の質問*",
        "home_none": "まだありません",
        "home_review": "*確認待ちの提案*（{n} 件）",
        "home_review_item": "*{question}*\nボットの回答：{answer} · 提案：{area} · 似た質問：{simi"
        "lar} 回 · 提案者：{user}",
        "home_approve": "承認",
        "home_reject": "却下",
        "home_other_area": "別の領域にする",
        "home_report": "*直近 {days} 日*：質問 {total} 件 · 回答 {answered} · 曖昧 {ambiguous} · "
        "回答せず {declined}",
        "home_clusters": "*答えられなかった質問（似たものをまとめて表示）*",
        "declined_answer": "（回答なし）",
        "reload_refused": "すみません、ナレッジを再読み込みできるのは管理者だけです。変更があれば"
        "管理者に連絡するか、そのまま質問してください。",
        "reload_disabled": "このボットではナレッジの再読み込みが有効になっていません。",
        "reloaded": "再読み込みしました：バージョン {old} -> {new}",
        "reload_unchanged": "ナレッジに変更はありません：バージョン {version} のままです",
        "reload_rejected": "ナレッジの変更に問題があるため反映していません。バージョン {version} "
        "を使い続けます（問題 {n} 件）：",
        "help_intro": "*Owner Bot* は、ある仕事をどのチームが担当し、プロダクトマネージャーがそこ"
        "で何をするかを答えます。",
        "help_ask": "`{command} コードは誰が書きますか？` で質問（回答はあなたにだけ表示され、ボタ"
        "ンでチャンネルに共有できます）",
        "help_teams": "`{command} teams`（または `list`）ですべての領域と担当チームを表示",
        "help_help": "`{command} help` でこの説明を表示",
        "help_mention": "チャンネルで私を @メンションして質問することもできます（そのメッセージの"
        "スレッドで答えます）。DM でも大丈夫です。",
        "help_votes": "回答の 👍 / 👎 はナレッジの改善に使われます。",
        "help_text": "Owner Bot：/owner <質問> で、仕事の担当チームと PM の役割を答えます。/owner "
        "teams で領域の一覧を表示します。",
    },
}


def normalize_lang(lang: str | None) -> str:
    """One of LANGS; anything else (an old button's value, a typo) reads as English."""
    return lang if lang in LANGS else "en"


def is_chinese(lang: str) -> bool:
    return lang.startswith("zh")


def t(lang: str, key: str, **values: object) -> str:
    """The string `key` in `lang`, with `values` filled in."""
    lang = normalize_lang(lang)
    base = _STRINGS["zh" if is_chinese(lang) else lang][key]
    text = base.format(**values) if values else base
    return in_script(text, lang) if is_chinese(lang) else text


def pick(text: Text, lang: str) -> str:
    """A knowledge text (written in zh and en, perhaps ja) in `lang`."""
    lang = normalize_lang(lang)
    return in_script(text.zh, lang) if is_chinese(lang) else text.get(lang)

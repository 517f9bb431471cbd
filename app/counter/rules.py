"""Who may ask, and whether the identity check is enough: the checks of 000 §6(1)①ア〜エ and
000 §7(1). Pure functions over plain values, so each rule has its own test.

Laws cited in the messages:
- 住民基本台帳法 §12 (本人・同一世帯員の請求; ③ 本人確認書類の提示、代理権限の確認),
  §12の2 (国又は地方公共団体の機関の請求), §12の3 (本人等以外の者の申出: 正当な理由);
- 戸籍法 §10 (本人等の請求), §10の2 (第三者請求 ①, 公用請求 ②), §10の3 (本人確認、代理権限),
  戸籍法施行規則 §11の2 (写真付き官公署発行の書類1点、又はその他の書類2点以上);
- 印鑑登録証明事務処理要領 (登録は写真付き証明書による即日登録か照会書による確認;
  証明書の交付は印鑑登録証の提示による);
- 住民基本台帳法 §22〜§26 (転入・転居・転出・世帯変更の届出と届出期間、届出義務者).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.refusal import Problem
from app.counter.models import IdentityAlternative, IdentityLevel, ProxyAuthority, RequesterKind, ThirdPartyReason

# Per law family: (本人等の請求, 第三者請求, 公用請求, 本人確認・代理権限)
LAW_TEXT: dict[str, dict[str, str]] = {
    "resident": {"own": "住民基本台帳法 §12①", "third": "住民基本台帳法 §12の3①",
                 "official": "住民基本台帳法 §12の2①", "identity": "住民基本台帳法 §12③"},
    "family_register": {"own": "戸籍法 §10①", "third": "戸籍法 §10の2①",
                        "official": "戸籍法 §10の2②", "identity": "戸籍法 §10の3・戸籍法施行規則 §11の2"},
    "seal": {"own": "印鑑登録証明事務処理要領", "third": "印鑑登録証明事務処理要領",
             "official": "印鑑登録証明事務処理要領", "identity": "印鑑登録証明事務処理要領"},
    "tax": {"own": "地方税法 §20の10", "third": "地方税法 §20の10・地方税法施行令 §6の21",
            "official": "地方税法 §20の10", "identity": "本人確認の取扱い（住民基本台帳法 §12③に準ずる）"},
    "my_number": {"own": "番号法 §16・個人番号カード省令", "third": "番号法 §16", "official": "番号法 §16",
                  "identity": "番号法 §16・個人番号カード省令（本人確認）"},
    "insurance": {"own": "国民健康保険法・高齢者の医療の確保に関する法律", "third": "各制度の規則",
                  "official": "各制度の規則", "identity": "番号法 §16（本人確認）"},
    "pension": {"own": "国民年金法 §12", "third": "国民年金法施行規則", "official": "国民年金法施行規則",
                "identity": "番号法 §16（本人確認）"},
    "general": {"own": "各手続の根拠法令", "third": "各手続の根拠法令", "official": "各手続の根拠法令",
                "identity": "本人確認の取扱い（戸籍法施行規則 §11の2に準ずる）"},
}
SPEC_RECEPTION = "000 §6(1)①"
SPEC_PROXY = "000 §7(1)"


@dataclass
class Recorded:
    """What the operator records in the 確認 step."""

    requester_kind: str = RequesterKind.self
    identity_docs: list[str] = field(default_factory=list)
    identity_alternative_used: bool = False
    power_of_attorney: bool = False
    third_party_reason_kind: str = ""
    third_party_reason: str = ""
    third_party_documents: str = ""
    official_office: str = ""
    official_basis: str = ""
    content_checked: bool = False
    documents_checked: list[str] = field(default_factory=list)


@dataclass
class Checks(Recorded):
    """What the rules look at: the record, and whom the registry has as requester and subject."""

    requester_household_id: int | None = None
    requester_resident_id: int | None = None
    subject_household_id: int | None = None
    subject_resident_id: int | None = None


@dataclass(frozen=True)
class ProcedureRules:
    """The catalog values the checks need (a Procedure row satisfies this shape)."""

    name: str
    law: str
    applicants: list[str]
    identity: str
    identity_alternative: str
    proxy_authority: str
    documents: list[str]


def identity_sufficient(level: str, docs: list[str], photo: set[str], card: set[str]) -> bool:
    """One photo ID issued by a public office, or two other documents (戸籍法施行規則 §11の2;
    住民基本台帳法 §12③ and its 省令 follow the same scheme)."""
    seen = set(docs)
    if level == IdentityLevel.none:
        return True
    if level == IdentityLevel.seal_card:
        return bool(seen & card)
    if level == IdentityLevel.photo:
        return bool(seen & photo)
    if level == IdentityLevel.photo_or_two:
        return bool(seen & photo) or len(seen - photo) >= 2
    raise ValueError(level)


def eligibility_problems(p: ProcedureRules, c: Checks) -> list[Problem]:
    """000 §6(1)①ア and §7(1): is the requester someone the law lets ask?"""
    law = LAW_TEXT[p.law]
    if c.requester_kind not in p.applicants:
        allowed = "・".join(RequesterKind.label_of(k) for k in p.applicants)
        return [Problem("requester_kind", f"「{p.name}」は{RequesterKind.label_of(c.requester_kind)}からは"
                        f"受け付けられません（受付できるのは{allowed}。{law['own']}）。")]
    return [*_person_problems(c, law), *_authority_problems(p, c, law)]


def _person_problems(c: Checks, law: dict[str, str]) -> list[Problem]:
    """The registry must agree with who the requester says they are: the person themselves,
    or a member of the subject's household."""
    if c.requester_kind == RequesterKind.self and c.requester_resident_id and c.subject_resident_id \
            and c.requester_resident_id != c.subject_resident_id:
        return [Problem("requester_kind", "請求者と対象者が住民記録上別人です。同一世帯員・代理人・第三者の"
                        f"いずれかとして受け付けてください（{law['own']}）。")]
    if c.requester_kind != RequesterKind.household or not c.subject_household_id:
        return []
    if not c.requester_household_id:
        return [Problem("requester_kind", "同一世帯員からの請求は、請求者を住民記録と照合して"
                        f"同じ世帯であることを確かめてください（{law['own']}：同一世帯員の請求）。")]
    if c.requester_household_id != c.subject_household_id:
        return [Problem("requester_kind", "請求者は住民記録上、対象者と同一の世帯に属していません"
                        f"（{law['own']}：同一世帯員の請求）。")]
    return []


def _authority_problems(p: ProcedureRules, c: Checks, law: dict[str, str]) -> list[Problem]:
    """A proxy shows the power of attorney, a third party the reason and its evidence, a public
    office its name and the law it asks under."""
    problems: list[Problem] = []
    if c.requester_kind == RequesterKind.proxy and p.proxy_authority == ProxyAuthority.power_of_attorney \
            and not c.power_of_attorney:
        problems.append(Problem("power_of_attorney", "代理人からの請求・届出には委任状による代理権限の確認が必要です"
                                f"（{law['identity']}、{SPEC_PROXY}）。委任状がない場合は受け付けられません。"))
    if c.requester_kind == RequesterKind.third_party:
        if c.third_party_reason_kind not in set(ThirdPartyReason) or not c.third_party_reason.strip():
            problems.append(Problem("third_party_reason", "第三者からの請求には、請求事由（正当な理由）の"
                                    f"具体的な記載が必要です（{law['third']}）。"))
        if not c.third_party_documents.strip():
            problems.append(Problem("third_party_documents", "第三者からの請求には、請求事由を明らかにする"
                                    f"資料（疎明資料）の確認が必要です（{law['third']}、{SPEC_PROXY}）。"))
    if c.requester_kind == RequesterKind.official and (not c.official_office.strip() or not c.official_basis.strip()):
        problems.append(Problem("official_basis", "公用請求には、請求する機関の名称と、請求の根拠となる"
                                f"法令の条項の記載が必要です（{law['official']}）。"))
    return problems


def identity_problems(p: ProcedureRules, c: Checks, photo: set[str], card: set[str],
                      labels: dict[str, str]) -> list[Problem]:
    """000 §6(1)①イ: the requester's identity (a proxy's own identity when a proxy asks)."""
    if c.requester_kind == RequesterKind.official:
        return []  # the request is a document of a public office; 公用請求 identifies itself
    law = LAW_TEXT[p.law]
    if identity_sufficient(p.identity, c.identity_docs, photo, card):
        return []
    if p.identity_alternative == IdentityAlternative.inquiry_letter and c.identity_alternative_used:
        return []
    need = {
        "seal_card": "印鑑登録証の提示",
        "photo": "写真付きの官公署発行の証明書（個人番号カード、運転免許証、旅券など）1点",
        "photo_or_two": "写真付きの官公署発行の証明書1点、又は健康保険の資格確認書・年金手帳などの書類2点",
    }[p.identity]
    seen = "、".join(labels.get(d, d) for d in c.identity_docs) or "なし"
    message = f"本人確認が不足しています。この手続には{need}が必要です（確認した書類：{seen}。{law['identity']}）。"
    if p.identity_alternative == IdentityAlternative.inquiry_letter:
        message += "書類がない場合は照会書による確認を選んでください。"
    if c.requester_kind == RequesterKind.postal:
        message = "郵便請求では本人確認書類の写しの同封が必要です。" + message
    return [Problem("identity_docs", message)]


def reception_problems(p: ProcedureRules, c: Checks) -> list[Problem]:
    """000 §6(1)①ウ・エ: the form was checked, and every required document is there."""
    problems = []
    if not c.content_checked:
        problems.append(Problem("content_checked",
                                f"請求書・届書の記載内容の点検が済んでいません（{SPEC_RECEPTION}ウ）。"))
    missing = [d for d in p.documents if d not in c.documents_checked]
    if missing:
        problems.append(Problem("documents_checked", f"必要書類（{'、'.join(missing)}）の確認が済んでいません"
                                f"（{SPEC_RECEPTION}エ）。"))
    return problems

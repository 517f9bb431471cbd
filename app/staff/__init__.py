"""The people and places the personal-information clauses name (issue #14 §3): the staff
register (作業責任者・作業従事者, their pledges and training), the handling areas (取扱区域), the
incidents (事故) and the end of the contract (引継ぎ, 返還・廃棄).

The counter's contract (000 別紙「個人情報の取扱いに関する特記仕様書」) and the donation
programme's (004 特定個人情報等の取扱いに関する特記事項) ask the same of the contractor under
different names: 管理責任者・業務従事者・作業場所 in 000 別紙 §3-§4, 作業責任者・作業従事者・
取扱区域 in 004 特記事項 §3-§4. One register per programme serves both.
"""

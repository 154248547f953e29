"""The default criteria framework (version 1), from the prospectus.

Word limits are a policy default: proposals are meant to be short.
"""

SECTOR_EXAMPLES = {
    "2A": {
        "schools": "Inspection judgements on leadership and management; how leaders at all "
        "levels have raised standards; governance that holds leaders to account.",
        "colleges_universities": "Inspection or quality review outcomes; how senior leaders "
        "have improved provision; governance and accountability for standards.",
        "trusts_federations": "How the trust or federation's leaders have improved the "
        "schools it governs; how the governing body holds leaders to account.",
        "dioceses_faith": "How the diocese or group's education team has supported and "
        "challenged its schools' leaders; governance of its schools.",
        "private_third_sector": "How the organisation is led and governed; how it has "
        "managed complex services to a high standard; its accountability to its board.",
    },
    "2B": {
        "schools": "Attainment and progress of pupils over at least three years, including "
        "disadvantaged pupils; early years outcomes.",
        "colleges_universities": "Learner achievement and progression; how the "
        "institution has raised outcomes for young people.",
        "trusts_federations": "Pupil attainment and progress across the schools it leads, "
        "over time, compared with similar schools.",
        "dioceses_faith": "Attainment and progress in the diocese or group's schools, and "
        "in schools it has supported to improve.",
        "private_third_sector": "Measurable improvements in outcomes for children and young "
        "people that the organisation has brought about.",
    },
    "2C": {
        "schools": "Formal partnerships the school leads; for an ASG, the impact in the "
        "schools it leads now.",
        "colleges_universities": "Partnerships with schools, and the improvement they "
        "brought about.",
        "trusts_federations": "How the trust or federation has brought schools into "
        "partnership and improved them.",
        "dioceses_faith": "Partnerships the diocese or group has led between its schools, "
        "and their impact.",
        "private_third_sector": "Partnerships with schools, local authorities or other "
        "organisations, and what they achieved.",
    },
}

PARTS = [
    {
        "number": 1,
        "title": "Vision and capacity",
        "introduction": "Every proposal answers Part One.",
        "criteria": [
            {
                "code": "1A",
                "title": "Vision for leading improvement",
                "question": "Describe your vision for leading improvement in underperforming "
                "primary schools, and how you will bring every school in the group to the "
                "same level of excellence.",
                "word_limit": 500,
            },
            {
                "code": "1B",
                "title": "Governance, leadership, management and accountability",
                "question": "Explain how your governance, leadership and management will hold "
                "you fully accountable for the improvement of the schools you lead.",
                "word_limit": 500,
            },
            {
                "code": "1C",
                "title": "Educational expertise and school improvement experience",
                "question": "Set out your educational expertise and school improvement "
                "experience, including in primary education and the Early Years Foundation "
                "Stage.",
                "word_limit": 500,
            },
            {
                "code": "1D",
                "title": "Capacity for transformational change and long-term commitment",
                "question": "Show your capacity to achieve transformational change in the "
                "schools you support, and your commitment to a partnership of five to ten "
                "years or permanent.",
                "word_limit": 500,
            },
            {
                "code": "1E",
                "title": "Education strategy and access to primary expertise",
                "question": "Set out your education strategy and how you will access the "
                "primary expertise and school improvement experience needed to raise "
                "standards.",
                "word_limit": 400,
                "circumstance": "non_educational_own_right",
            },
        ],
    },
    {
        "number": 2,
        "title": "Track record",
        "introduction": "Part Two gives examples of evidence for each sector. A consortium "
        "answers it for the lead and for the co-partner.",
        "criteria": [
            {
                "code": "2A",
                "title": "Leadership and management",
                "question": "Give evidence of strong leadership and management and their "
                "effect on outcomes.",
                "word_limit": 500,
                "skipped_for_national_support_school": True,
                "answered_per_party": True,
            },
            {
                "code": "2B",
                "title": "Pupil achievement",
                "question": "Give evidence of a successful track record of improving outcomes "
                "for children and young people.",
                "word_limit": 500,
                "skipped_for_national_support_school": True,
                "answered_per_party": True,
            },
            {
                "code": "2C",
                "title": "Partnership working",
                "question": "Give evidence of successful partnership working. An ASG shows the "
                "impact in the schools it leads now.",
                "word_limit": 500,
                "answered_per_party": True,
            },
        ],
    },
]

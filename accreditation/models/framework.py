"""The criteria framework: versioned parts and criteria, held as data."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from accreditation import clock


class Sector(models.TextChoices):
    """The sectors the Part Two guidance gives examples for."""

    SCHOOLS = "schools", "Maintained and independent schools"
    COLLEGES_UNIVERSITIES = "colleges_universities", "Colleges and universities"
    TRUSTS_FEDERATIONS = "trusts_federations", "Trusts and federations"
    DIOCESES_FAITH = "dioceses_faith", "Dioceses and faith groups"
    PRIVATE_THIRD_SECTOR = (
        "private_third_sector",
        "Private and third sector organisations and consultancies",
    )


def sector_for_kind(kind):
    """The sector whose Part Two examples fit an organisation of this kind."""
    from accreditation.models import organisations as o

    if kind in o.COLLEGE_KINDS:
        return Sector.COLLEGES_UNIVERSITIES
    if kind in o.TRUST_KINDS:
        return Sector.TRUSTS_FEDERATIONS
    if kind in o.FAITH_KINDS:
        return Sector.DIOCESES_FAITH
    if kind in o.OTHER_EDUCATIONAL_KINDS | o.NON_EDUCATIONAL_KINDS:
        return Sector.PRIVATE_THIRD_SECTOR
    return Sector.SCHOOLS


class FrameworkFrozen(ValidationError):
    """A change to a framework version that a round or window already uses."""

    MESSAGE = (
        "Version {version} of the criteria framework is used by a round that has opened or "
        "by an out-of-round window, so it cannot be changed. Add a new version for later "
        "rounds instead."
    )


class FrameworkQuerySet(models.QuerySet):
    def frozen(self, when):
        """Versions in use: a round using it has opened, or a window uses it."""
        return self.filter(Q(rounds__opens_at__lte=when) | Q(windows__isnull=False)).distinct()


class Framework(models.Model):
    version = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=4)
    threshold = models.PositiveSmallIntegerField(
        default=3, help_text="A criterion is met at this score or more"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the administrator published it; unpublished versions are drafts",
    )

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_min__lt=F("scale_max"))
                & Q(threshold__gte=F("scale_min"))
                & Q(threshold__lte=F("scale_max")),
                name="framework_scale_sane",
            )
        ]

    def __str__(self):
        return f"{self.title} (version {self.version})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            refuse_if_frozen(self.frameworks())
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        refuse_if_frozen(self.frameworks())
        return super().delete(*args, **kwargs)

    def clean(self):
        refuse_if_frozen(self.frameworks())
        self.check_scale()
        if self.published_at is not None and not self.was_published() and self.missing_parts():
            # Published, it is what new rounds and windows take: a version
            # without its questions would take proposals with no answers.
            raise ValidationError(
                {
                    "published_at": "Add Part One and Part Two, each with its criteria, and "
                    "save the version before you publish it"
                }
            )

    def check_scale(self):
        """The scale and threshold the database's constraint holds them to
        (``framework_scale_sane``), said in words at their fields."""
        low, high, threshold = self.scale_min, self.scale_max, self.threshold
        if low is None or high is None:
            return
        if low >= high:
            raise ValidationError({"scale_max": "The highest score must be more than the lowest"})
        if threshold is not None and not low <= threshold <= high:
            raise ValidationError(
                {
                    "threshold": f"The threshold must be from the lowest score ({low}) to the "
                    f"highest ({high})"
                }
            )

    def was_published(self):
        """Published already, as saved (this change does not publish it)."""
        return (
            self.pk is not None
            and Framework.objects.filter(pk=self.pk, published_at__isnull=False).exists()
        )

    def missing_parts(self):
        """The numbers of the parts (1 and 2) this version does not yet have
        with at least one criterion, as saved."""
        if self.pk is None:
            return [1, 2]
        with_criteria = set(
            Part.objects.filter(framework_id=self.pk, criteria__isnull=False).values_list(
                "number", flat=True
            )
        )
        return [number for number in (1, 2) if number not in with_criteria]

    def frameworks(self):
        """This version, as a queryset (as its pieces give theirs)."""
        return Framework.objects.filter(pk=self.pk)

    def is_frozen(self):
        """Frozen once a round using it has opened, or a window uses it:
        proposals, scores and letters point at it, so it never changes."""
        return frozen_version(self.frameworks()) is not None

    @classmethod
    def current(cls):
        """The newest published version: what new windows and the public
        guidance use."""
        return cls.objects.filter(published_at__isnull=False).order_by("-version").first()


def frozen_version(frameworks):
    """The version number of the first of ``frameworks`` (a queryset) that
    is frozen now, or None."""
    frozen = frameworks.filter(pk__in=Framework.objects.frozen(clock.now()).values("pk"))
    return frozen.values_list("version", flat=True).first()


def refuse_if_frozen(frameworks):
    """Raise FrameworkFrozen if any of ``frameworks`` (a queryset) is frozen."""
    version = frozen_version(frameworks)
    if version is not None:
        raise FrameworkFrozen(FrameworkFrozen.MESSAGE.format(version=version), code="frozen")


class FrameworkPiece(models.Model):
    """A part of a framework version (a part, a criterion, its guidance):
    added, changed or removed only while the version is not frozen, checked
    for the version it belongs to now and the one it is moved to."""

    # The lookup from this model to its Framework.
    framework_path = None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        refuse_if_frozen(self.frameworks())
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        refuse_if_frozen(self.frameworks())
        return super().delete(*args, **kwargs)

    def clean(self):
        refuse_if_frozen(self.frameworks())

    def frameworks(self):
        """The version this belongs to, and (if moved) the one it was in."""
        parent_name, _, rest = self.framework_path.partition("__")
        parent = self._meta.get_field(parent_name)
        parent_ids = parent.related_model.objects.filter(pk=getattr(self, parent.attname))
        frameworks = Framework.objects.filter(
            pk__in=parent_ids.values(f"{rest}__pk" if rest else "pk")
        )
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values(f"{self.framework_path}__pk")
            frameworks = frameworks | Framework.objects.filter(pk__in=stored)
        return frameworks

    def is_frozen(self):
        return frozen_version(self.frameworks()) is not None


NUMBER_WORDS = {1: "One", 2: "Two", 3: "Three", 4: "Four"}


class Part(FrameworkPiece):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)

    framework_path = "framework"

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="part_unique_number")
        ]

    def __str__(self):
        return f"Part {NUMBER_WORDS.get(self.number, self.number)}: {self.title}"


class Circumstance(models.TextChoices):
    ALWAYS = "always", "Every proposal"
    NON_EDUCATIONAL_OWN_RIGHT = (
        "non_educational_own_right",
        "Non-educational organisations applying in their own right",
    )


class Criterion(FrameworkPiece):
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=4)
    title = models.CharField(max_length=200)
    question = models.TextField()
    guidance = models.TextField(blank=True)
    word_limit = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField()
    applies_to_asp = models.BooleanField(default=True)
    applies_to_asg = models.BooleanField(default=True)
    circumstance = models.CharField(
        max_length=30, choices=Circumstance.choices, default=Circumstance.ALWAYS
    )
    skipped_for_national_support_school = models.BooleanField(default=False)
    answered_per_party = models.BooleanField(
        default=False, help_text="In a consortium, each party answers and is scored"
    )

    framework_path = "part__framework"

    class Meta:
        ordering = ["part__number", "position"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["part", "code"], name="criterion_unique_code"),
            models.CheckConstraint(condition=Q(word_limit__gt=0), name="criterion_word_limit"),
            models.CheckConstraint(
                condition=Q(applies_to_asp=True) | Q(applies_to_asg=True),
                name="criterion_applies_to_a_type",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class CriterionGuidance(FrameworkPiece):
    """Part Two guidance: examples of evidence for one sector."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="sector_guidance"
    )
    sector = models.CharField(max_length=30, choices=Sector.choices)
    text = models.TextField()

    framework_path = "criterion__part__framework"

    class Meta:
        ordering = ["criterion", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "sector"], name="criterion_guidance_unique_sector"
            )
        ]

    def __str__(self):
        return f"{self.criterion.code} guidance for {self.get_sector_display()}"

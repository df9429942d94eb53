from lpr.formats import FormatMatcher
from lpr.types import PlateRead


def test_a_pattern_breaks_a_near_tie():
    m = FormatMatcher()
    read = PlateRead(
        "PXPB172",
        0.5,
        [0.9] * 3 + [0.55] + [0.9] * 3,
        candidates=[("PXPB172", 0.5), ("PXP8172", 0.4), ("PXPBI72", 0.1)],
    )
    out = m.apply(read)
    assert out.text == "PXP8172" and out.format in {"br_grey", "us_abc1234"}
    assert out.confidence == 0.4
    assert len(out.char_confidences) == 7 and out.char_confidences[3] < 0.55


def test_a_hint_not_a_filter():
    m = FormatMatcher()
    vanity = PlateRead("GWAGEN", 0.9, [0.98] * 6, candidates=[("GWAGEN", 0.9), ("GWAGE0", 0.01)])
    out = m.apply(vanity)
    assert out.text == "GWAGEN" and out.format is None
    unlikely = PlateRead(
        "PXPB172", 0.8, [0.97] * 7, candidates=[("PXPB172", 0.8), ("PXP8172", 0.05)]
    )
    assert m.apply(unlikely).text == "PXPB172"  # far less likely: the pattern does not override


def test_an_i_or_o_among_digits_is_read_as_a_digit_unless_a_pattern_fits():
    m = FormatMatcher()

    def read(text: str) -> PlateRead:
        return m.apply(PlateRead(text, 0.6, [0.9] * len(text), candidates=[(text, 0.6)]))

    assert read("I26PTU").text == "126PTU"  # leading, before a digit
    assert read("0I7MI49").text == "017MI49"  # between digits; M-I-4 is left alone
    assert read("O0256M1").text == "00256M1"
    out = read("I041608")
    assert out.text == "1041608" and out.char_confidences == [0.9] * 7
    assert read("ABC1I23").text == "ABC1I23"  # Mercosur: a letter between digits
    assert read("IM4REAL").text == "IM4REAL" and read("GOLF4U").text == "GOLF4U"


def test_missouri_letters_and_digits_taking_turns_pick_a_1_over_an_l():
    # Missouri's AB1-C2D: the 1 drawn with a flag and a foot reads as L.
    m = FormatMatcher()
    read = PlateRead(
        "DL9ELU", 0.6, [0.9] * 4 + [0.6, 0.9], candidates=[("DL9ELU", 0.6), ("DL9E1U", 0.2)]
    )
    out = m.apply(read)
    assert (out.text, out.format) == ("DL9E1U", "us_ab1c2d")
    assert m.match("AG6VLW") is None and m.match("AG6V1W") == "us_ab1c2d"


def test_arabic_format_and_site_patterns():
    assert FormatMatcher().match("12345ب6") == "ma"
    site = FormatMatcher({"gate_staff": r"STAFF\d{2}"})
    assert site.match("STAFF07") == "gate_staff" and site.match("AB123CD") is None


def test_formats_by_name():
    import pytest

    from lpr.formats import patterns_named

    assert FormatMatcher(patterns_named("de")).match("BMW1234") == "de"
    assert FormatMatcher().match("BMW1234") is None or FormatMatcher().match("BMW1234") != "de"
    with pytest.raises(ValueError, match="unknown plate formats"):
        patterns_named("xx")


def test_read_policy_needs_both_confidence_and_length() -> None:
    from lpr.types import ReadPolicy

    policy = ReadPolicy(min_confidence=0.2, min_chars=4)
    assert policy.accepts(PlateRead("AB12", 0.5, [0.9] * 4))
    assert not policy.accepts(PlateRead("AB1", 0.9, [0.99] * 3))  # an emblem's junk read
    assert not policy.accepts(PlateRead("AB123", 0.1, [0.6] * 5))
    assert not ReadPolicy().accepts(PlateRead("", 1.0, []))  # never an empty read
    overlay = PlateRead("2014081317", 0.9, [0.99] * 10)  # a camera's date and time
    assert ReadPolicy(max_chars=10).accepts(overlay) and ReadPolicy().accepts(overlay)
    assert not ReadPolicy(max_chars=9).accepts(overlay)


def test_the_command_line_the_core_and_the_recognizer_service_keep_the_same_reads() -> None:
    """A site's recognizer reports what `lpr scan` and `lpr eval` measured: one read
    policy by default, wherever a pipeline or a worker is made."""
    from lpr.cli import build_parser
    from lpr.inference import Pipeline, load_pipeline
    from lpr.types import ReadPolicy
    from services.recognizer.worker import RecognizerWorker
    from shared.settings import RecognizerSettings

    args = build_parser().parse_args(["scan", "frame.jpg"])
    from_cli = ReadPolicy(args.min_confidence, args.min_chars, args.max_chars)
    fields = RecognizerSettings.model_fields
    from_settings = ReadPolicy(
        fields["min_read_confidence"].default,
        fields["min_plate_chars"].default,
        fields["max_plate_chars"].default,
    )
    assert from_cli == from_settings == ReadPolicy(0.2, 4, 10)
    assert load_pipeline().policy == from_cli
    assert Pipeline(detector=None, reader=None).policy == from_cli
    assert RecognizerWorker(reader=None).policy == from_cli


def test_read_policy_drops_reads_that_mix_latin_and_arabic_letters() -> None:
    from lpr.types import ReadPolicy

    policy = ReadPolicy(min_chars=4)
    assert policy.accepts(PlateRead("12345ب67", 0.9, [0.99] * 8))  # a Moroccan plate
    assert policy.accepts(PlateRead("AB123CD", 0.9, [0.99] * 7))
    assert not policy.accepts(PlateRead("P2ب4", 0.9, [0.99] * 4))  # junk on a Brazilian car


def test_a_read_without_digits_needs_a_box_the_detector_is_sure_of() -> None:
    from lpr.types import WORD_BOX, ReadPolicy

    policy = ReadPolicy(min_confidence=0.2, min_chars=4)
    badge = PlateRead("TOYOTA", 0.9, [0.99] * 6)
    assert not policy.accepts(badge, box_confidence=WORD_BOX - 0.01)
    assert policy.accepts(badge, box_confidence=WORD_BOX)  # a vanity plate, boxed as one
    assert policy.accepts(badge)  # a labelled box or a plate crop
    assert policy.accepts(PlateRead("ABC1234", 0.9, [0.99] * 7), box_confidence=0.1)
    # A 0 between letters is a word's O: ONLY read 0NLY is still a word.
    for word in ("0NLY", "C0UGAR", "SCH00L"):  # and a vanity word's Os, written 0
        assert not policy.accepts(PlateRead(word, 0.9, [0.99] * len(word)), box_confidence=0.1)
        assert policy.accepts(PlateRead(word, 0.9, [0.99] * len(word)), box_confidence=WORD_BOX)
    assert policy.accepts(PlateRead("AB0123", 0.9, [0.99] * 6), box_confidence=0.1)
    assert policy.accepts(PlateRead("0AB12", 0.9, [0.99] * 5), box_confidence=0.1)


def test_an_unsure_box_needs_a_surer_read() -> None:
    from lpr.types import UNSURE_BOX, UNSURE_BOX_READ, ReadPolicy

    policy = ReadPolicy(min_confidence=0.2, min_chars=4)
    badge = PlateRead("TTR9CTVB", 0.24, [0.84] * 8)  # a model badge read unsurely
    assert not policy.accepts(badge, box_confidence=UNSURE_BOX - 0.01)
    assert policy.accepts(badge, box_confidence=UNSURE_BOX)  # a box the detector trusts
    assert policy.accepts(badge)  # a labelled box or a plate crop
    far_plate = PlateRead("ABC1234", UNSURE_BOX_READ, [0.86] * 7)
    assert policy.accepts(far_plate, box_confidence=0.1)  # a doubted box, read surely


def test_an_o_or_0_is_swapped_when_only_the_swap_fits_a_pattern() -> None:
    m = FormatMatcher()

    def read(text: str) -> PlateRead:
        return m.apply(PlateRead(text, 0.6, [0.9] * len(text), candidates=[(text, 0.6)]))

    out = read("0ZL2318")  # a Brazilian grey plate's O, drawn as its 0
    assert (out.text, out.format) == ("OZL2318", "br_grey")
    assert out.confidence == 0.6 and out.char_confidences == [0.9] * 7
    assert read("824B0J").text == "824BOJ"  # us_123abc
    assert read("355OCT").text == "355OCT"  # fits as read: nothing to swap
    assert read("C0UGAR").text == "C0UGAR"  # a word fits no pattern either way: left alone
    assert read("AW03160").text == "AW03160"  # a 0 among digits stays one (AWO3160 would fit)
    assert read("7O0O123").text == "7OOO123"  # us_1abc234, one swap
    assert read("1O49338").text == "1049338"  # an O among digits; Czech has no region O
    assert read("DL9EIU").text == "DL9E1U"  # an I is a 1 wherever it stands: Missouri's
    assert read("7881BZ").text == "7881BZ"  # ... but a 1 is never made an I (788IBZ fits)
    # Two readings with one swap fit two site formats: which is right is a guess, so none.
    site = FormatMatcher({"o_second": r"AOB\d", "o_last": r"A\dBO"})
    assert site.choose([("A0B0", 0.6)]) == ("A0B0", 0.6, None)
    assert site.choose([("A0B1", 0.6)]) == ("AOB1", 0.6, "o_second")


def test_read_policy_drops_a_letter_read_four_times_running() -> None:
    from lpr.types import ReadPolicy

    policy = ReadPolicy(min_chars=4)
    assert not policy.accepts(PlateRead("WWWWW", 0.9, [0.99] * 5))  # a grille's stripes
    assert not policy.accepts(PlateRead("TTTT7", 0.9, [0.99] * 5))
    assert policy.accepts(PlateRead("AAA2208", 0.9, [0.99] * 7))  # three is a plate
    assert policy.accepts(PlateRead("P0W9999", 0.9, [0.99] * 7))  # digits repeat on plates
    assert not policy.accepts(PlateRead("Z77777", 0.9, [0.99] * 6))  # ... not five times


def test_a_runner_up_that_is_a_lookalike_of_the_top_read_is_as_sure_as_it() -> None:
    # Brazil's O drawn as its 0: the reader's top read 0LE5095 fits no pattern, its
    # runner-up OLE5095 does. Taken at the runner-up's own 0.12 it fell under the read
    # threshold and the plate was missed; a swap of the top read would keep 0.82.
    m = FormatMatcher()
    out = m.apply(
        PlateRead(
            "0LE5095", 0.82, [0.83] + [0.99] * 6, candidates=[("0LE5095", 0.82), ("OLE5095", 0.12)]
        )
    )
    assert (out.text, out.format, out.confidence) == ("OLE5095", "br_grey", 0.82)
    # A runner-up that differs otherwise keeps its own confidence (B for 8).
    other = m.apply(
        PlateRead("PXPB172", 0.5, [0.9] * 7, candidates=[("PXPB172", 0.5), ("PXP8172", 0.4)])
    )
    assert other.text == "PXP8172" and other.confidence == 0.4


def test_read_policy_needs_a_box_shaped_like_a_one_line_plate() -> None:
    from lpr.types import ReadPolicy

    policy = ReadPolicy(min_chars=4)
    read = PlateRead("7777T", 0.9, [0.99] * 5)
    assert not policy.accepts(read, box=(920, 23, 1175, 277))  # a fence, boxed square
    assert policy.accepts(read, box=(100, 100, 240, 200))  # 1.4:1
    assert policy.accepts(read)  # no box given: the read alone


def test_a_vanity_word_writes_o_as_0_as_us_registries_do() -> None:
    m = FormatMatcher()

    def read(text: str):
        return m.apply(PlateRead(text, 0.8, [0.95] * len(text), candidates=[(text, 0.8)]))

    out = read("CUSTOM")
    assert out.text == "CUST0M" and out.format is None and out.char_confidences == [0.95] * 6
    assert read("GROWAPR").text == "GR0WAPR"
    assert read("OBX40699").text == "OBX40699"  # digits: not a word, left as read
    assert read("OZU5764").text == "OZU5764"  # a format's letter O stays O
    assert read("OOOOX").text == "OOOOX"  # a row of lamps: left for the policy to drop


def test_new_jerseys_abc_12d_keeps_its_last_letter() -> None:
    m = FormatMatcher()
    read = PlateRead(
        "UAA47C", 0.68, [0.99] * 5 + [0.7], candidates=[("UAA47C", 0.68), ("UAA470", 0.27)]
    )
    out = m.apply(read)
    assert out.text == "UAA47C" and out.format == "us_abc12d"

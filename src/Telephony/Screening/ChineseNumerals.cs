namespace CallCenter.Telephony.Screening;

/// <summary>Chinese and Arabic numerals as spoken on the phone: 十五, 两, 二十三, 一百, 幺三八 (digit by digit), full-width digits.</summary>
public static class ChineseNumerals
{
    public const string DigitChars = "0123456789０１２３４５６７８９零〇一二两三四五六七八九幺";

    /// <summary>The digit a character stands for when numbers are read digit by digit, or -1.</summary>
    public static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= '０' and <= '９' => c - '０',
        '零' or '〇' => 0,
        '一' or '幺' => 1,
        '二' or '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => -1,
    };

    /// <summary>Parses 15, 十五, 二十, 两, 一百二十, 三十五; false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        var hasUnit = text.IndexOfAny('十', '百') >= 0;
        if (!hasUnit)
        {
            // Digit by digit: "10", "一二" → 12.
            foreach (var c in text)
            {
                var d = DigitValue(c);
                if (d < 0)
                {
                    return false;
                }

                value = (value * 10) + d;
            }

            return true;
        }

        var current = -1;
        foreach (var c in text)
        {
            if (c == '十')
            {
                value += (current < 0 ? 1 : current) * 10;
                current = -1;
            }
            else if (c == '百')
            {
                if (current < 0)
                {
                    return false;
                }

                value += current * 100;
                current = -1;
            }
            else
            {
                var d = DigitValue(c);
                if (d < 0)
                {
                    return false;
                }

                current = d;
            }
        }

        value += Math.Max(current, 0);
        return true;
    }
}
